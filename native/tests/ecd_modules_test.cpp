// The ECD's building blocks against hand-computed formulas (plain loops in double precision, no
// LibTorch ops in the reference): batch, ghost batch and layer norm in training and evaluation
// mode, including running statistics; residual FC stacks; the category and scalar input encoders.
#include <cmath>
#include <vector>

#include "abi/api_guard.h"
#include "check.h"
#include "specs.h"
#include "nn/bert.h"
#include "nn/fc_stack.h"
#include "ecd/input_encoders.h"
#include "ecd/output_features.h"

using namespace fdl;

namespace {

using Matrix = std::vector<std::vector<double>>;

Matrix random_matrix(int64_t rows, int64_t cols, unsigned seed) {
  Matrix m(rows, std::vector<double>(cols));
  unsigned state = seed;
  for (auto& row : m) {
    for (double& v : row) {
      state = state * 1103515245u + 12345u;
      v = ((state >> 8) % 20000) / 1000.0 - 10.0 + 0.37 * (&v - row.data());  // columns with different means
    }
  }
  return m;
}

at::Tensor tensor_of(const Matrix& m) {
  at::Tensor t = at::empty({static_cast<int64_t>(m.size()), static_cast<int64_t>(m[0].size())}, at::kDouble);
  for (size_t r = 0; r < m.size(); ++r) {
    for (size_t c = 0; c < m[0].size(); ++c) t[r][c] = m[r][c];
  }
  return t;
}

double max_diff(const at::Tensor& actual, const Matrix& expected) {
  double worst = 0;
  at::Tensor a = actual.to(at::kDouble).contiguous();
  for (size_t r = 0; r < expected.size(); ++r) {
    for (size_t c = 0; c < expected[0].size(); ++c) {
      worst = std::max(worst, std::abs(a[r][c].item<double>() - expected[r][c]));
    }
  }
  return worst;
}

double max_diff(const at::Tensor& actual, const std::vector<double>& expected) {
  double worst = 0;
  at::Tensor a = actual.to(at::kDouble).contiguous();
  for (size_t i = 0; i < expected.size(); ++i) worst = std::max(worst, std::abs(a[i].item<double>() - expected[i]));
  return worst;
}

// The reference batch norm: per column statistics of rows [begin, end), biased variance to
// normalise, unbiased variance into the running estimate (PyTorch's and Ludwig's convention).
struct ReferenceBatchNorm {
  std::vector<double> weight, bias, running_mean, running_var;
  double momentum, eps;

  ReferenceBatchNorm(const std::vector<double>& w, const std::vector<double>& b, double m, double e)
      : weight(w), bias(b), running_mean(w.size(), 0.0), running_var(w.size(), 1.0), momentum(m), eps(e) {}

  void train_rows(const Matrix& x, Matrix& y, size_t begin, size_t end) {
    double n = static_cast<double>(end - begin);
    for (size_t c = 0; c < weight.size(); ++c) {
      double mean = 0, ss = 0;
      for (size_t r = begin; r < end; ++r) mean += x[r][c];
      mean /= n;
      for (size_t r = begin; r < end; ++r) ss += (x[r][c] - mean) * (x[r][c] - mean);
      for (size_t r = begin; r < end; ++r) y[r][c] = (x[r][c] - mean) / std::sqrt(ss / n + eps) * weight[c] + bias[c];
      running_mean[c] = (1 - momentum) * running_mean[c] + momentum * mean;
      running_var[c] = (1 - momentum) * running_var[c] + momentum * ss / (n - 1);
    }
  }

  Matrix eval(const Matrix& x) const {
    Matrix y = x;
    for (size_t r = 0; r < x.size(); ++r) {
      for (size_t c = 0; c < weight.size(); ++c) {
        y[r][c] = (x[r][c] - running_mean[c]) / std::sqrt(running_var[c] + eps) * weight[c] + bias[c];
      }
    }
    return y;
  }
};

// Gives the module's affine parameters non-trivial values so the test sees them applied.
void set_affine(torch::nn::BatchNorm1d& bn, const std::vector<double>& w, const std::vector<double>& b) {
  c10::NoGradGuard no_grad;
  for (size_t c = 0; c < w.size(); ++c) {
    bn->weight[c] = w[c];
    bn->bias[c] = b[c];
  }
}

const std::vector<double> kWeight = {1.5, -0.5, 2.0}, kBias = {0.25, 1.0, -3.0};

void batch_norm_training_and_evaluation() {
  NormParams params{128, 0.3, 1e-3};
  RowBatchNorm norm(3, params);
  norm->to(at::kDouble);
  set_affine(norm->bn, kWeight, kBias);
  ReferenceBatchNorm ref(kWeight, kBias, params.momentum, params.epsilon);
  norm->train();
  for (unsigned step = 0; step < 3; ++step) {
    Matrix x = random_matrix(6, 3, 11 + step);
    Matrix expected = x;
    ref.train_rows(x, expected, 0, x.size());
    double d = max_diff(norm->forward(tensor_of(x)), expected);
    EXPECT(d < 1e-10, "batch norm training step %u: max diff %g", step, d);
  }
  EXPECT(max_diff(norm->bn->running_mean, ref.running_mean) < 1e-10, "batch norm running mean");
  EXPECT(max_diff(norm->bn->running_var, ref.running_var) < 1e-10, "batch norm running var");

  // One row in training: no batch statistics exist; it passes unchanged and the running ones stay.
  Matrix one = random_matrix(1, 3, 5);
  EXPECT(max_diff(norm->forward(tensor_of(one)), one) == 0, "a single training row passes unchanged");
  EXPECT(max_diff(norm->bn->running_mean, ref.running_mean) < 1e-10, "a single row leaves the running mean");

  norm->eval();
  Matrix x = random_matrix(5, 3, 99);
  double d = max_diff(norm->forward(tensor_of(x)), ref.eval(x));
  EXPECT(d < 1e-10, "batch norm evaluation uses the running statistics: max diff %g", d);
}

// Rows per chunk as torch.chunk cuts them (Ludwig's ghost norm): ceil(B / vbs) chunks of
// ceil(B / chunks) rows, the last one shorter.
std::vector<size_t> chunk_sizes(size_t batch, size_t virtual_batch_size) {
  size_t chunks = (batch + virtual_batch_size - 1) / virtual_batch_size;
  size_t size = (batch + chunks - 1) / chunks;
  std::vector<size_t> sizes;
  for (size_t begin = 0; begin < batch; begin += size) sizes.push_back(std::min(size, batch - begin));
  return sizes;
}

void ghost_norm_case(size_t batch, int64_t virtual_batch_size, std::vector<size_t> expected_chunks) {
  EXPECT(chunk_sizes(batch, virtual_batch_size) == expected_chunks, "chunking of %zu rows by %lld", batch,
         static_cast<long long>(virtual_batch_size));
  NormParams params{virtual_batch_size, 0.05, 1e-3};  // Ludwig's ghost defaults
  GhostBatchNorm norm(3, params);
  norm->to(at::kDouble);
  set_affine(norm->bn, kWeight, kBias);
  ReferenceBatchNorm ref(kWeight, kBias, params.momentum, params.epsilon);
  norm->train();
  for (unsigned step = 0; step < 2; ++step) {
    Matrix x = random_matrix(batch, 3, 40 + step + batch);
    Matrix expected = x;  // a one-row chunk passes unchanged
    size_t begin = 0;
    for (size_t size : expected_chunks) {
      if (size > 1) ref.train_rows(x, expected, begin, begin + size);
      begin += size;
    }
    double d = max_diff(norm->forward(tensor_of(x)), expected);
    EXPECT(d < 1e-10, "ghost norm, %zu rows by %lld, training step %u: max diff %g", batch,
           static_cast<long long>(virtual_batch_size), step, d);
  }
  EXPECT(max_diff(norm->bn->running_mean, ref.running_mean) < 1e-10, "ghost norm running mean (%zu rows)", batch);
  EXPECT(max_diff(norm->bn->running_var, ref.running_var) < 1e-10, "ghost norm running var (%zu rows)", batch);
  norm->eval();
  Matrix x = random_matrix(batch, 3, 7);
  double d = max_diff(norm->forward(tensor_of(x)), ref.eval(x));
  EXPECT(d < 1e-10, "ghost norm evaluation (%zu rows) uses the running statistics: max diff %g", batch, d);
}

void ghost_norm_training_and_evaluation() {
  ghost_norm_case(10, 4, {4, 4, 2});
  ghost_norm_case(9, 4, {3, 3, 3});
  ghost_norm_case(8, 8, {8});      // one virtual batch: plain batch norm
  ghost_norm_case(3, 2, {2, 1});   // the one-row chunk is skipped, as in Ludwig
  ghost_norm_case(12, 5, {4, 4, 4});
}

void layer_norm_training_and_evaluation() {
  FcLayerSpec spec = specs::fc(4, FDL_ACTIVATION_NONE, FDL_NORM_LAYER, 0.0, {128, 0.1, 1e-4});
  FcLayer layer(3, spec);
  layer->to(at::kDouble);
  std::vector<double> w = {0.5, 2.0, -1.0, 1.25}, b = {0.1, -0.2, 0.3, 0.0};
  {
    c10::NoGradGuard no_grad;
    for (int c = 0; c < 4; ++c) {
      layer->layer_norm->weight[c] = w[c];
      layer->layer_norm->bias[c] = b[c];
    }
  }
  Matrix x = random_matrix(5, 3, 3);
  for (bool training : {true, false}) {
    layer->train(training);
    at::Tensor dense = layer->dense->forward(tensor_of(x));
    Matrix expected(5, std::vector<double>(4));
    for (int r = 0; r < 5; ++r) {
      double mean = 0, ss = 0;
      for (int c = 0; c < 4; ++c) mean += dense[r][c].item<double>();
      mean /= 4;
      for (int c = 0; c < 4; ++c) ss += std::pow(dense[r][c].item<double>() - mean, 2);
      for (int c = 0; c < 4; ++c) {
        expected[r][c] = (dense[r][c].item<double>() - mean) / std::sqrt(ss / 4 + 1e-4) * w[c] + b[c];
      }
    }
    double d = max_diff(layer->forward(tensor_of(x)), expected);
    EXPECT(d < 1e-10, "layer norm (%s): max diff %g", training ? "training" : "evaluation", d);
  }
}

void residual_stack_adds_where_sizes_match() {
  std::vector<FcLayerSpec> layers = {specs::fc(3, FDL_ACTIVATION_NONE), specs::fc(2, FDL_ACTIVATION_NONE),
                                     specs::fc(2, FDL_ACTIVATION_RELU)};
  FcStack stack(3, layers, /*residual=*/true);
  stack->to(at::kDouble);
  stack->eval();
  at::Tensor x = tensor_of(random_matrix(4, 3, 8));
  auto layer = [&](int i) { return (*stack->layers)[i]->as<FcLayer>(); };
  at::Tensor h1 = x + layer(0)->dense->forward(x);         // 3 -> 3: residual
  at::Tensor h2 = layer(1)->dense->forward(h1);            // 3 -> 2: size changes, no residual
  at::Tensor h3 = h2 + at::relu(layer(2)->dense->forward(h2));  // 2 -> 2: residual after the activation
  double d = (stack->forward(x) - h3).abs().max().item<double>();
  EXPECT(d < 1e-12, "residual stack: max diff %g", d);
  FcStack plain(3, layers, /*residual=*/false);
  EXPECT(plain->forward(x.to(at::kFloat)).size(1) == 2, "plain stack output width");
}

void category_and_scalar_inputs() {
  CategoryInput onehot(4, 0, true, 0.0);
  at::Tensor ids = at::tensor({0, 3, 1}, at::kLong);
  at::Tensor encoded = onehot.forward({ids});
  EXPECT(encoded.size(1) == 4 && encoded[1][3].item<float>() == 1 && encoded.sum().item<float>() == 3,
         "one-hot encoding");
  CategoryInput dense(4, 50, false, 0.0);
  EXPECT(dense.output_size() == 4, "embedding width is capped at the vocabulary size, got %lld",
         static_cast<long long>(dense.output_size()));
  EXPECT(!dense.embedding->weight.requires_grad(), "embeddings_trainable: false freezes the embedding");
  double lo = dense.embedding->weight.min().item<double>(), hi = dense.embedding->weight.max().item<double>();
  EXPECT(lo >= -1 && hi <= 1, "uniform(-1, 1) initialisation, got %g..%g", lo, hi);
  bool rejected = false;
  try {
    dense.check_values({at::tensor({4}, at::kLong)});  // the ECD runs it on every host batch
  } catch (const Failure& e) {
    rejected = std::string(e.what()).find("[0, 4)") != std::string::npos;
  }
  EXPECT(rejected, "an id outside the vocabulary is a clear error");

  ScalarInput passthrough({});
  at::Tensor values = at::tensor({0.5f, -1.0f}, at::kFloat);
  EXPECT(passthrough.forward({values}).equal(values.unsqueeze(1)), "passthrough gives [B, 1]");
  ScalarInput dense_scalar({specs::fc(8, FDL_ACTIVATION_RELU), specs::fc(8, FDL_ACTIVATION_RELU)});
  EXPECT(dense_scalar.output_size() == 8 && dense_scalar.forward({values}).size(1) == 8, "dense scalar encoder");
}

void number_losses() {
  at::Tensor predicted = at::tensor({1.0, 2.0, 4.0}, at::kDouble), target = at::tensor({0.0, 2.5, 1.0}, at::kDouble);
  double mse = (1.0 + 0.25 + 9.0) / 3, mae = (1.0 + 0.5 + 3.0) / 3;
  NumberOutput squared(4, FDL_NUMBER_LOSS_MSE), absolute(4, FDL_NUMBER_LOSS_MAE),
      root(4, FDL_NUMBER_LOSS_RMSE);
  EXPECT(std::abs(squared.loss(predicted, target).item<double>() - mse) < 1e-6, "mean squared error");
  EXPECT(std::abs(absolute.loss(predicted, target).item<double>() - mae) < 1e-6, "mean absolute error");
  EXPECT(std::abs(root.loss(predicted, target).item<double>() - std::sqrt(mse)) < 1e-6, "root mean squared error");
}

}  // namespace

// A 50-id BERT of hidden size 16 with 40 positions.
BertOptions tiny_bert(int64_t layers) {
  BertOptions options;
  options.vocab_size = 50;
  options.hidden_size = 16;
  options.num_hidden_layers = layers;
  options.num_attention_heads = 2;
  options.intermediate_size = 32;
  options.max_position_embeddings = 40;
  return options;
}

// compile on CUDA pads text to length buckets so few graphs serve a run: the padding must change
// no encoder output, for every reduce_output, and lengths reach the next power of two from 16 (capped
// by max_sequence_length). RoBERTa's positions count non-pad ids, so its padding uses the pad id.
void text_bucket_padding_changes_no_output(PositionIds positions) {
  BertOptions options = tiny_bert(2);
  options.position_ids = positions;
  options.pad_token_id = positions == PositionIds::AfterPadding ? 1 : 0;
  at::manual_seed(3);
  BertModel bert(options);
  at::Tensor ids = at::randint(2, 50, {3, 11}, at::kLong);
  at::Tensor mask = at::ones({3, 11}, at::kLong);
  mask[1].slice(0, 7).fill_(0);  // a row already padded inside the batch
  ids[1].slice(0, 7).fill_(options.pad_token_id);
  for (auto reduce : {SequenceReduce::ClsPooled, SequenceReduce::Sum, SequenceReduce::Mean, SequenceReduce::Last,
                      SequenceReduce::Max, SequenceReduce::Concat, SequenceReduce::Attention}) {
    TextInput text(bert.ptr(), reduce, /*trainable=*/false, /*max_sequence_length=*/20);
    auto padded = text.padded_to_bucket({ids, mask});
    EXPECT(padded.at(0).size(1) == 16 && padded.at(1).size(1) == 16, "length 11 pads to 16, got %lld",
           static_cast<long long>(padded.at(0).size(1)));
    double difference = (text.forward({ids, mask}) - text.forward(padded)).abs().max().item<double>();
    EXPECT(difference < 1e-5, "reduce %d: padded output differs by %g", static_cast<int>(reduce), difference);
  }
  TextInput text(bert.ptr(), SequenceReduce::Mean, false, 20);
  at::Tensor long_ids = at::randint(2, 50, {2, 33}, at::kLong);
  auto capped = text.padded_to_bucket({long_ids, at::ones_like(long_ids)});
  int64_t longest = positions == PositionIds::AfterPadding ? 38 : 40;  // RoBERTa: 40 - pad_token_id - 1
  EXPECT(capped.at(0).size(1) == longest, "past the last power of two below max_sequence_length the bucket is the "
         "maximum (%lld), got %lld", static_cast<long long>(longest), static_cast<long long>(capped.at(0).size(1)));
}

// reduce_output concat pads every batch to the feature's max_sequence_length (one width), and refuses
// longer input; attention's reducer trains while the frozen encoder gets no gradient, and it cannot
// be cached.
void text_concat_and_attention() {
  at::manual_seed(5);
  BertModel bert(tiny_bert(1));
  at::Tensor ids = at::randint(2, 50, {2, 7}, at::kLong);
  at::Tensor mask = at::ones({2, 7}, at::kLong);
  mask[1].slice(0, 4).fill_(0);

  TextInput concat(bert.ptr(), SequenceReduce::Concat, false, 12);
  at::Tensor flat = concat.forward({ids, mask});
  EXPECT(concat.output_size() == 12 * 16 && flat.size(1) == 12 * 16, "concat width 12 * 16, got %lld",
         static_cast<long long>(flat.size(1)));
  EXPECT(flat[1].slice(0, 0, 4 * 16).abs().max().item<double>() > 0, "concat keeps the kept positions");
  EXPECT(flat[1].slice(0, 4 * 16).abs().max().item<double>() == 0 && flat[0].slice(0, 7 * 16).abs().max().item<double>() == 0,
         "concat zeroes padding and the positions past the batch");
  bool refused = false;
  try {
    at::Tensor long_ids = at::randint(2, 50, {1, 13}, at::kLong);
    concat.forward({long_ids, at::ones_like(long_ids)});
  } catch (const Failure& e) {
    refused = std::string(e.what()).find("max_sequence_length 12") != std::string::npos;
  }
  EXPECT(refused, "concat refuses input longer than the feature's max_sequence_length, naming it");

  TextInput attention(bert.ptr(), SequenceReduce::Attention, false, 12);
  EXPECT(attention.output_size() == 16, "attention gives [B, H]");
  EXPECT(!attention.why_not_cacheable().empty(), "attention cannot be cached");
  attention.forward({ids, mask}).sum().backward();
  for (const auto& p : attention.named_parameters()) {
    bool reducer = p.key().rfind("reduce_sequence.", 0) == 0;
    EXPECT(reducer == p.value().grad().defined(), "%s: %s", p.key().c_str(),
           reducer ? "the reducer trains under a frozen encoder" : "the frozen encoder gets no gradient");
  }
  EXPECT(attention.named_parameters().contains("reduce_sequence.fc_layer1.weight") &&
             attention.named_parameters()["reduce_sequence.fc_layer1.weight"].sizes() == at::IntArrayRef({256, 16}),
         "Ludwig's reducer: fc_layer1 [256, H]");
}

int main() {
  batch_norm_training_and_evaluation();
  ghost_norm_training_and_evaluation();
  layer_norm_training_and_evaluation();
  residual_stack_adds_where_sizes_match();
  category_and_scalar_inputs();
  number_losses();
  text_bucket_padding_changes_no_output(PositionIds::Absolute);
  text_bucket_padding_changes_no_output(PositionIds::AfterPadding);
  text_concat_and_attention();
  EXPECT_REPORT();
}
