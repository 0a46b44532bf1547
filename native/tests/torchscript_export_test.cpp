// TorchScript export through the C ABI, read back by LibTorch's own C++ loader: a small ECD model
// (random BERT, mean reduction, concat combiner with batch norm, category + binary + number heads)
// must give the same outputs from torch::jit::load as from fdl_ecd_evaluate; so must a model of
// image (ResNet-18) and tabular inputs (dense number encoder with layer norm, passthrough binary,
// category embedding and one-hot) with a layer-norm combiner; a corn (ordinal) category head; and
// text inputs reduced by a masked max, concat and Ludwig's attention.
#include <torch/script.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "specs.h"
#include "fidelio.h"

namespace {

char err[4096];

fdl_tensor* longs(std::vector<int64_t> shape, const std::vector<int64_t>& data) {
  fdl_tensor* t = nullptr;
  EXPECT(fdl_tensor_new(FDL_DTYPE_INT64, shape.data(), (int32_t)shape.size(), data.data(), data.size() * 8, &t, err,
                        sizeof err) == FDL_OK,
         "%s", err);
  return t;
}

std::vector<float> floats_of(const fdl_tensor* t, size_t n) {
  std::vector<float> v(n);
  EXPECT(fdl_tensor_copy_to_host(t, v.data(), n * 4, err, sizeof err) == FDL_OK, "%s", err);
  return v;
}

double max_difference(const std::vector<float>& expected, const at::Tensor& actual) {
  at::Tensor a = actual.to(at::kFloat).contiguous().view({-1});
  EXPECT(a.numel() == static_cast<int64_t>(expected.size()), "%ld values, expected %zu", (long)a.numel(),
         expected.size());
  double worst = 0;
  for (size_t i = 0; i < expected.size() && i < static_cast<size_t>(a.numel()); ++i) {
    worst = std::max(worst, std::fabs(expected[i] - a[i].item<double>()));
  }
  return worst;
}

fdl_tensor* floats(std::vector<int64_t> shape, const std::vector<float>& data) {
  fdl_tensor* t = nullptr;
  EXPECT(fdl_tensor_new(FDL_DTYPE_FLOAT32, shape.data(), (int32_t)shape.size(), data.data(), data.size() * 4, &t, err,
                        sizeof err) == FDL_OK,
         "%s", err);
  return t;
}

at::Tensor tensor_of(const fdl_tensor* t, std::vector<int64_t> shape, bool integer) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  if (!integer) return at::tensor(floats_of(t, n)).view(shape);
  std::vector<int64_t> v(n);
  EXPECT(fdl_tensor_copy_to_host(t, v.data(), n * 8, err, sizeof err) == FDL_OK, "%s", err);
  return at::tensor(v).view(shape);
}

// Image and tabular inputs: every encoder type but text, trained two steps (the batch-norm
// statistics of the ResNet move), then exported and read back.
void image_and_tabular_model() {
  fdl_image_encoder* resnet = nullptr;
  EXPECT(fdl_image_encoder_new("resnet", "18", 1, FDL_DTYPE_FLOAT32, 7, &resnet, err, sizeof err) == FDL_OK, "%s", err);
  fdl_fc_layer dense[] = {specs::fc(4, FDL_ACTIVATION_RELU, FDL_NORM_LAYER)};
  fdl_input_spec in[] = {specs::image("image", resnet, 1), specs::scalar("price", specs::stack(dense, 1)),
                         specs::scalar("flag"), specs::category("colour", 4, 3, 1, 0.2),
                         specs::category("size", 3, 0, 0, 0.0)};
  fdl_output_spec outs[] = {specs::category_output("label", 3), specs::output("score", FDL_OUTPUT_NUMBER)};
  // The combiner's log-sigmoid and softmax layers are exported as TorchScript's own functions.
  fdl_fc_layer fc[] = {specs::fc(8, FDL_ACTIVATION_LOG_SIGMOID, FDL_NORM_LAYER, 0.1),
                       specs::fc(8, FDL_ACTIVATION_SOFTMAX)};
  fdl_ecd_spec spec = specs::model(in, 5, outs, 2, 9, specs::stack(fc, 2));
  fdl_ecd* ecd = nullptr;
  EXPECT(fdl_ecd_new(&spec, &ecd, err, sizeof err) == FDL_OK, "%s", err);
  fdl_image_encoder_free(resnet);

  std::vector<float> pixels(4 * 16 * 16);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = std::sin(0.37f * static_cast<float>(i));
  fdl_tensor* images = floats({4, 1, 16, 16}, pixels);
  fdl_tensor* price = floats({4}, {-1.2f, 0.3f, 0.8f, 2.0f});
  fdl_tensor* flag = floats({4}, {1, 0, 0, 1});
  fdl_tensor* colour = longs({4}, {0, 3, 1, 2});
  fdl_tensor* size = longs({4}, {2, 0, 1, 1});
  fdl_tensor* label = longs({4}, {0, 2, 1, 1});
  fdl_tensor* score = floats({4}, {0.5f, -1, 2, 0});
  const fdl_tensor* inputs[] = {images, price, flag, colour, size};
  const fdl_tensor* targets[] = {label, score};
  double loss = 0;
  for (int step = 0; step < 2; ++step) {
    EXPECT(fdl_ecd_train_step(ecd, inputs, 5, targets, 2, 1.0, 1, 1, 0.01, &loss, err, sizeof err) == FDL_OK, "%s", err);
  }
  fdl_tensor* predictions[2] = {nullptr, nullptr};
  EXPECT(fdl_ecd_evaluate(ecd, inputs, 5, nullptr, 0, nullptr, predictions, 2, err, sizeof err) == FDL_OK, "%s", err);
  std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/fidelio_export_image.pt";
  double thresholds[] = {0.5, 0.5};
  EXPECT(fdl_ecd_export_torchscript(ecd, path.c_str(), thresholds, 2, err, sizeof err) == FDL_OK, "export: %s", err);

  torch::jit::Module loaded = torch::jit::load(path);
  c10::Dict<std::string, at::Tensor> given;
  given.insert("image", tensor_of(images, {4, 1, 16, 16}, false));
  given.insert("price", tensor_of(price, {4}, false));
  given.insert("flag", tensor_of(flag, {4}, false));
  given.insert("colour", tensor_of(colour, {4}, true));
  given.insert("size", tensor_of(size, {4}, true));
  auto out = loaded.forward({given}).toGenericDict();
  double d_label = max_difference(floats_of(predictions[0], 12), out.at("label_probabilities").toTensor());
  double d_score = max_difference(floats_of(predictions[1], 4), out.at("score_predictions").toTensor());
  EXPECT(d_label < 1e-5 && d_score < 1e-5, "image and tabular model: max differences %g %g", d_label, d_score);
  EXPECT(loaded.attr("input_features").toModule().attr("image").toModule().attr("encoder").toModule().hasattr("layer4"),
         "the ResNet keeps torchvision's names");
  std::printf("image and tabular model, TorchScript vs fdl_ecd_evaluate: max differences %g %g\n", d_label, d_score);

  for (auto* t : predictions) fdl_tensor_free(t);
  for (auto* t : {images, price, flag, colour, size, label, score}) fdl_tensor_free(t);
  fdl_ecd_free(ecd);
  std::remove(path.c_str());
}

// Every family's own TorchScript forward (TorchScriptSource): grouped convolutions (resnext), layer
// stacks with batch norm (vgg 11_bn), dropout before the classifier (alexnet), Fire blocks and
// ceil-mode pooling (squeezenet). Frozen encoders; 64x64 images, the smallest AlexNet takes.
void image_families_model() {
  const char* families[][2] = {{"resnext", "50_32x4d"}, {"vgg", "11_bn"}, {"alexnet", "base"}, {"squeezenet", "1_0"}};
  std::vector<float> pixels(2 * 3 * 64 * 64);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = std::sin(0.37f * static_cast<float>(i));
  for (const auto& family : families) {
    fdl_image_encoder* encoder = nullptr;
    EXPECT(fdl_image_encoder_new(family[0], family[1], 3, FDL_DTYPE_FLOAT32, 7, &encoder, err, sizeof err) == FDL_OK,
           "%s", err);
    fdl_input_spec in = specs::image("image", encoder, 0);
    fdl_output_spec out = specs::category_output("label", 3);
    fdl_ecd_spec spec = specs::model(&in, 1, &out, 1, 9);
    fdl_ecd* ecd = nullptr;
    EXPECT(fdl_ecd_new(&spec, &ecd, err, sizeof err) == FDL_OK, "%s", err);
    fdl_image_encoder_free(encoder);
    fdl_tensor* images = floats({2, 3, 64, 64}, pixels);
    const fdl_tensor* inputs[] = {images};
    fdl_tensor* predictions = nullptr;
    EXPECT(fdl_ecd_evaluate(ecd, inputs, 1, nullptr, 0, nullptr, &predictions, 1, err, sizeof err) == FDL_OK, "%s", err);
    std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/fidelio_export_" +
                       family[0] + ".pt";
    double threshold = 0.5;
    EXPECT(fdl_ecd_export_torchscript(ecd, path.c_str(), &threshold, 1, err, sizeof err) == FDL_OK, "export %s: %s",
           family[0], err);
    torch::jit::Module loaded = torch::jit::load(path);
    c10::Dict<std::string, at::Tensor> given;
    given.insert("image", tensor_of(images, {2, 3, 64, 64}, false));
    auto result = loaded.forward({given}).toGenericDict();
    double d = max_difference(floats_of(predictions, 6), result.at("label_probabilities").toTensor());
    EXPECT(d < 1e-5, "%s %s, TorchScript vs fdl_ecd_evaluate: max difference %g", family[0], family[1], d);
    std::printf("%s %s, TorchScript vs fdl_ecd_evaluate: max difference %g\n", family[0], family[1], d);
    fdl_tensor_free(predictions);
    fdl_tensor_free(images);
    fdl_ecd_free(ecd);
    std::remove(path.c_str());
  }
}

// A corn (ordinal) category head: the export gives fdl_ecd_evaluate's cumulative probabilities, and
// as prediction how many of the first classes - 1 exceed 0.5 (Ludwig's rule, capped at the last class).
void corn_model() {
  fdl_input_spec in[] = {specs::scalar("price")};
  fdl_output_spec level = specs::category_output("level", 4);
  level.category_loss = FDL_CATEGORY_LOSS_CORN;
  fdl_fc_layer fc[] = {specs::fc(8, FDL_ACTIVATION_RELU)};
  fdl_ecd_spec spec = specs::model(in, 1, &level, 1, 3, specs::stack(fc, 1));
  fdl_ecd* ecd = nullptr;
  EXPECT(fdl_ecd_new(&spec, &ecd, err, sizeof err) == FDL_OK, "%s", err);
  fdl_tensor* price = floats({6}, {-2.0f, -1.0f, -0.2f, 0.4f, 1.1f, 2.5f});
  fdl_tensor* levels = longs({6}, {0, 0, 1, 2, 3, 3});
  const fdl_tensor* inputs[] = {price};
  const fdl_tensor* targets[] = {levels};
  double loss = 0;
  for (int step = 0; step < 20; ++step) {
    EXPECT(fdl_ecd_train_step(ecd, inputs, 1, targets, 1, 1.0, 1, 1, 0.05, &loss, err, sizeof err) == FDL_OK, "%s", err);
  }
  fdl_tensor* predictions[1] = {nullptr};
  EXPECT(fdl_ecd_evaluate(ecd, inputs, 1, nullptr, 0, nullptr, predictions, 1, err, sizeof err) == FDL_OK, "%s", err);
  std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/fidelio_export_corn.pt";
  double thresholds[] = {0.5};
  EXPECT(fdl_ecd_export_torchscript(ecd, path.c_str(), thresholds, 1, err, sizeof err) == FDL_OK, "export: %s", err);

  c10::Dict<std::string, at::Tensor> given;
  given.insert("price", tensor_of(price, {6}, false));
  auto out = torch::jit::load(path).forward({given}).toGenericDict();
  std::vector<float> expected = floats_of(predictions[0], 24);
  double d = max_difference(expected, out.at("level_probabilities").toTensor());
  EXPECT(d < 1e-6, "corn probabilities: max difference %g", d);
  at::Tensor predicted = out.at("level_predictions").toTensor();
  for (int64_t r = 0; r < 6; ++r) {
    int64_t above = 0;
    while (above < 3 && expected[r * 4 + above] > 0.5f) ++above;
    EXPECT(predicted[r].item<int64_t>() == above, "corn row %ld: predicted %ld, %ld cumulative above 0.5", (long)r,
           (long)predicted[r].item<int64_t>(), (long)above);
  }
  fdl_tensor_free(predictions[0]);
  for (auto* t : {price, levels}) fdl_tensor_free(t);
  fdl_ecd_free(ecd);
  std::remove(path.c_str());
}

// reduce_output max, concat and attention: the export gives fdl_ecd_evaluate's probabilities, and two
// more padding tokens per row change neither (padding never wins the max, concat pads to
// max_sequence_length anyway, attention skips it). Trained 3 steps so that the encoder's (and
// attention's reducer's) weights are no longer their initial ones.
void text_reduce_model(fdl_reduce reduce, const char* mode) {
  fdl_text_encoder* bert = nullptr;
  EXPECT(specs::new_bert(20, 8, 1, 2, 12, "gelu", 16, 2, 1e-12, 0.0, 0.0, 0, 0.5, FDL_DTYPE_FLOAT32, 5, &bert, err,
                         sizeof err) == FDL_OK,
         "%s", err);
  fdl_input_spec in[] = {specs::text("t", bert, reduce, 1)};
  in[0].size = 10;  // max_sequence_length (concat's width)
  fdl_output_spec out_spec = specs::category_output("label", 3);
  fdl_ecd_spec spec = specs::model(in, 1, &out_spec, 1, 7);
  fdl_ecd* ecd = nullptr;
  EXPECT(fdl_ecd_new(&spec, &ecd, err, sizeof err) == FDL_OK, "%s", err);
  fdl_text_encoder_free(bert);
  std::vector<int64_t> short_ids = {2, 7, 9, 0, 2, 4, 3, 5}, long_ids = {2, 7, 9, 0, 0, 0, 2, 4, 3, 5, 0, 0};
  auto mask_of = [](const std::vector<int64_t>& v) {
    std::vector<int64_t> m;
    for (int64_t x : v) m.push_back(x != 0);
    return m;
  };
  fdl_tensor *ids = longs({2, 4}, short_ids), *mask = longs({2, 4}, mask_of(short_ids));
  fdl_tensor *padded = longs({2, 6}, long_ids), *padded_mask = longs({2, 6}, mask_of(long_ids));
  fdl_tensor* label = longs({2}, {0, 2});
  const fdl_tensor* inputs[] = {ids, mask};
  const fdl_tensor* targets[] = {label};
  double loss = 0;
  for (int step = 0; step < 3; ++step) {
    EXPECT(fdl_ecd_train_step(ecd, inputs, 2, targets, 1, 1.0, 1, 1, 0.05, &loss, err, sizeof err) == FDL_OK, "%s", err);
  }
  fdl_tensor *predictions[1] = {nullptr}, *padded_predictions[1] = {nullptr};
  const fdl_tensor* padded_inputs[] = {padded, padded_mask};
  EXPECT(fdl_ecd_evaluate(ecd, inputs, 2, nullptr, 0, nullptr, predictions, 1, err, sizeof err) == FDL_OK, "%s", err);
  EXPECT(fdl_ecd_evaluate(ecd, padded_inputs, 2, nullptr, 0, nullptr, padded_predictions, 1, err, sizeof err) == FDL_OK,
         "%s", err);
  std::vector<float> expected = floats_of(predictions[0], 6);
  at::Tensor with_padding = at::tensor(floats_of(padded_predictions[0], 6));
  double d_padding = max_difference(expected, with_padding);
  EXPECT(d_padding < 1e-6, "%s: more padding changed the probabilities by %g", mode, d_padding);
  std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/fidelio_export_" + mode + ".pt";
  double thresholds[] = {0.5};
  EXPECT(fdl_ecd_export_torchscript(ecd, path.c_str(), thresholds, 1, err, sizeof err) == FDL_OK, "export: %s", err);
  c10::Dict<std::string, at::Tensor> given;
  at::Tensor padded_tensor = at::tensor(long_ids).view({2, 6});
  given.insert("t", padded_tensor);
  given.insert("t_attention_mask", padded_tensor.ne(0).to(at::kLong));
  auto out = torch::jit::load(path).forward({given}).toGenericDict();
  double d = max_difference(expected, out.at("label_probabilities").toTensor());
  EXPECT(d < 1e-6, "%s: TorchScript vs fdl_ecd_evaluate max difference %g", mode, d);
  std::printf("reduce %s: padding changes %g, TorchScript vs fdl_ecd_evaluate %g\n", mode, d_padding, d);
  std::remove(path.c_str());
  for (auto* t : {predictions[0], padded_predictions[0], ids, mask, padded, padded_mask, label}) fdl_tensor_free(t);
  fdl_ecd_free(ecd);
}

}  // namespace

int main() {
  fdl_text_encoder* bert = nullptr;
  EXPECT(specs::new_bert(/*vocab*/ 20, /*hidden*/ 8, /*layers*/ 2, /*heads*/ 2, /*intermediate*/ 12, "gelu",
                      /*max_positions*/ 16, /*type_vocab*/ 2, 1e-12, 0.1, 0.1, /*pad*/ 0, 0.5, FDL_DTYPE_FLOAT32, 3,
                      &bert, err, sizeof err) == FDL_OK,
         "fdl_text_encoder_new: %s", err);
  // The binary output decodes through its own layer (Ludwig's decoder fc_layers, here without a bias)
  // before its head.
  fdl_fc_layer decoder[] = {specs::fc(4, FDL_ACTIVATION_RELU, FDL_NORM_LAYER, 0, {128, 0.1, 1e-5}, /*use_bias=*/0)};
  fdl_input_spec in[] = {specs::text("my text", bert, FDL_REDUCE_MEAN, 1)};
  fdl_output_spec outs[] = {specs::category_output("label", 3),
                           specs::output("flag", FDL_OUTPUT_BINARY, specs::stack(decoder, 1)),
                           specs::output("size.x", FDL_OUTPUT_NUMBER)};
  // One batch-norm layer, then a residual ghost-norm layer of the same width.
  fdl_fc_layer fc[] = {specs::fc(6, FDL_ACTIVATION_TANH, FDL_NORM_BATCH, 0.2),
                       specs::fc(6, FDL_ACTIVATION_RELU, FDL_NORM_GHOST, 0.0, {2, 0.05, 1e-3})};
  fdl_ecd_spec spec = specs::model(in, 1, outs, 3, 5, specs::stack(fc, 2, /*residual=*/1));
  // A decoder that claims a layer it does not give is refused, naming its output.
  fdl_output_spec broken = specs::output("flags", FDL_OUTPUT_BINARY, specs::stack(nullptr, 1));
  fdl_ecd_spec broken_spec = specs::model(in, 1, &broken, 1, 5);
  fdl_ecd* ecd = nullptr;
  EXPECT(fdl_ecd_new(&broken_spec, &ecd, err, sizeof err) == FDL_ERR_INVALID_ARGUMENT &&
             std::strstr(err, "output 'flags' decoder") != nullptr,
         "a broken decoder is named: %s", err);
  EXPECT(fdl_ecd_new(&spec, &ecd, err, sizeof err) == FDL_OK, "%s", err);
  fdl_text_encoder_free(bert);

  // Two training steps move the batch-norm running statistics away from their initial values.
  fdl_tensor* ids = longs({3, 5}, {2, 7, 9, 3, 0, 2, 4, 3, 0, 0, 2, 11, 12, 13, 3});
  fdl_tensor* mask = longs({3, 5}, {1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1});
  fdl_tensor* label = longs({3}, {0, 2, 1});
  float flag_values[] = {1, 0, 1}, size_values[] = {0.5f, -1, 2};
  int64_t three[] = {3};
  fdl_tensor *flag = nullptr, *size = nullptr;
  fdl_tensor_new(FDL_DTYPE_FLOAT32, three, 1, flag_values, sizeof flag_values, &flag, err, sizeof err);
  fdl_tensor_new(FDL_DTYPE_FLOAT32, three, 1, size_values, sizeof size_values, &size, err, sizeof err);
  const fdl_tensor* inputs[] = {ids, mask};
  const fdl_tensor* targets[] = {label, flag, size};
  double loss = 0;
  for (int step = 0; step < 2; ++step) {
    EXPECT(fdl_ecd_train_step(ecd, inputs, 2, targets, 3, 1.0, 1, 1, 0.01, &loss, err, sizeof err) == FDL_OK, "%s", err);
  }
  fdl_tensor* predictions[3] = {nullptr, nullptr, nullptr};
  EXPECT(fdl_ecd_evaluate(ecd, inputs, 2, nullptr, 0, nullptr, predictions, 3, err, sizeof err) == FDL_OK, "%s", err);

  std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/fidelio_export_test.pt";
  double thresholds[] = {0.5, 0.3, 0.5};
  EXPECT(fdl_ecd_export_torchscript(ecd, path.c_str(), thresholds, 2, err, sizeof err) == FDL_ERR_INVALID_ARGUMENT,
         "a threshold count that does not match the outputs is refused");
  if (fdl_ecd_export_torchscript(ecd, path.c_str(), thresholds, 3, err, sizeof err) != FDL_OK) {
    std::fprintf(stderr, "export failed: %s\n", err);
    return EXIT_FAILURE;
  }
  EXPECT(fdl_ecd_export_torchscript(ecd, "/nonexistent-folder/model.pt", thresholds, 3, err, sizeof err) ==
                 FDL_ERR_INVALID_ARGUMENT &&
             std::strstr(err, "cannot write the TorchScript file /nonexistent-folder/model.pt") != nullptr,
         "an unwritable path is a clear error: %s", err);

  torch::jit::Module loaded = torch::jit::load(path);
  c10::Dict<std::string, at::Tensor> given;
  at::Tensor ids_tensor = at::tensor(std::vector<int64_t>{2, 7, 9, 3, 0, 2, 4, 3, 0, 0, 2, 11, 12, 13, 3}).view({3, 5});
  given.insert("my text", ids_tensor);
  given.insert("my text_attention_mask", ids_tensor.ne(0).to(at::kLong));
  auto out = loaded.forward({given}).toGenericDict();
  double d_label = max_difference(floats_of(predictions[0], 9), out.at("label_probabilities").toTensor());
  at::Tensor flag_probabilities = out.at("flag_probabilities").toTensor();
  double d_flag = max_difference(floats_of(predictions[1], 3), flag_probabilities.select(1, 1));
  double d_size = max_difference(floats_of(predictions[2], 3), out.at("size.x_predictions").toTensor());
  EXPECT(d_label < 1e-6 && d_flag < 1e-6 && d_size < 1e-6, "max differences %g %g %g", d_label, d_flag, d_size);
  at::Tensor flag_predictions = out.at("flag_predictions").toTensor();
  for (int i = 0; i < 3; ++i) {
    EXPECT(flag_predictions[i].item<bool>() == (flag_probabilities[i][1].item<double>() >= 0.3),
           "binary prediction %d uses the threshold 0.3", i);
  }
  EXPECT(loaded.attr("input_features").toModule().attr("my text").toModule().hasattr("bert"),
         "submodules keep the model's names");
  std::printf("TorchScript vs fdl_ecd_evaluate: max differences %g %g %g\n", d_label, d_flag, d_size);

  for (auto* t : predictions) fdl_tensor_free(t);
  for (auto* t : {ids, mask, label, flag, size}) fdl_tensor_free(t);
  fdl_ecd_free(ecd);
  std::remove(path.c_str());
  image_and_tabular_model();
  image_families_model();
  corn_model();
  text_reduce_model(FDL_REDUCE_MAX, "max");
  text_reduce_model(FDL_REDUCE_CONCAT, "concat");
  text_reduce_model(FDL_REDUCE_ATTENTION, "attention");
  EXPECT_REPORT();
}
