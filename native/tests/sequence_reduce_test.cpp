// reduce_output against Ludwig's reducers (tests/reference/ludwig_reducers.py: ReduceSum, ReduceMean,
// ReduceMax, ReduceLast, ReduceConcat and FeedForwardAttentionReducer written out in float64 PyTorch,
// each applied to a sentence's own tokens): Fidelio's masked reductions over a padded batch must give
// the same outputs and gradients (hidden states, and the attention reducer's weights), and a fully
// padded row must give 0 with finite gradients.
#include <torch/serialize.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "check.h"
#include "nn/sequence_attention.h"
#include "nn/sequence_reduce.h"
#include "nn/state_dict.h"

using namespace fdl;

namespace {

c10::IValue run_reference() {
  std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/fidelio_reducers_" +
                     std::to_string(::getpid()) + ".pt";
  std::string command = "/usr/bin/python3 " FIDELIO_REFERENCE_DIR "/ludwig_reducers.py " + path;
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "%s failed\n", command.c_str());
    std::exit(EXIT_FAILURE);
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  return torch::pickle_load(bytes);
}

c10::IValue field(const c10::IValue& dict, const std::string& key) { return dict.toGenericDict().at(key); }

double relative(const at::Tensor& ours, const at::Tensor& reference) {
  return (ours - reference).abs().max().item<double>() / std::max(1.0, reference.abs().max().item<double>());
}

const std::map<std::string, SequenceReduce> kModes = {
    {"sum", SequenceReduce::Sum},   {"mean", SequenceReduce::Mean},       {"max", SequenceReduce::Max},
    {"last", SequenceReduce::Last}, {"concat", SequenceReduce::Concat}, {"attention", SequenceReduce::Attention}};

}  // namespace

int main() {
  c10::IValue record = run_reference();
  at::Tensor hidden = field(record, "hidden").toTensor();
  at::Tensor mask = field(record, "attention_mask").toTensor();
  int64_t concat_length = field(record, "concat_length").toInt();
  SequenceAttention attention(hidden.size(2));
  attention->to(at::kDouble);
  NamedTensors state;
  for (const auto& s : field(record, "state").toGenericDict()) state.emplace_back(s.key().toStringRef(), s.value().toTensor());
  load_state_strict(*attention, state);

  for (const auto& [name, mode] : kModes) {
    c10::IValue expected = field(field(record, "modes"), name);
    attention->zero_grad();
    at::Tensor x = hidden.clone().requires_grad_(true);
    at::Tensor output;
    if (mode == SequenceReduce::Attention) {
      output = attention->forward(x, mask);
    } else if (mode == SequenceReduce::Concat) {  // as TextInput does: positions up to max_sequence_length
      int64_t pad = concat_length - x.size(1);
      output = reduce_sequence(at::constant_pad_nd(x, {0, 0, 0, pad}), at::constant_pad_nd(mask, {0, pad}), {}, mode);
    } else {
      output = reduce_sequence(x, mask, {}, mode);
    }
    (output * field(expected, "probe").toTensor()).sum().backward();
    double d_out = relative(output.detach(), field(expected, "output").toTensor());
    double d_grad = relative(x.grad(), field(expected, "hidden_grad").toTensor());
    EXPECT(d_out < 1e-12, "%s: output differs from Ludwig's by %g", name.c_str(), d_out);
    EXPECT(d_grad < 1e-12, "%s: hidden-state gradient differs by %g", name.c_str(), d_grad);
    std::printf("%-9s output %.1e, hidden gradient %.1e", name.c_str(), d_out, d_grad);
    if (mode == SequenceReduce::Attention) {
      auto params = attention->named_parameters();
      for (const auto& g : field(expected, "weight_grads").toGenericDict()) {
        double d = relative(params[g.key().toStringRef()].grad(), g.value().toTensor());
        EXPECT(d < 1e-12, "attention %s gradient differs by %g", g.key().toStringRef().c_str(), d);
        std::printf(", %s gradient %.1e", g.key().toStringRef().c_str(), d);
      }
    }
    std::printf("\n");
  }

  // A row with no token at all: 0 out, and no NaN in any gradient (the attention's softmax over only
  // padding would be NaN and reach the shared weights).
  at::Tensor empty_mask = mask.clone();
  empty_mask[2].zero_();
  for (const auto& [name, mode] : kModes) {
    if (mode == SequenceReduce::Last) continue;  // documented: position 0's hidden state
    attention->zero_grad();
    at::Tensor x = hidden.clone().requires_grad_(true);
    at::Tensor output = mode == SequenceReduce::Attention ? attention->forward(x, empty_mask)
                                                          : reduce_sequence(x, empty_mask, {}, mode);
    output.sum().backward();
    EXPECT(output[2].abs().max().item<double>() == 0, "%s: a fully padded row must give 0", name.c_str());
    bool finite = x.grad().isfinite().all().item<bool>();
    for (const auto& p : attention->parameters()) finite = finite && (!p.grad().defined() || p.grad().isfinite().all().item<bool>());
    EXPECT(finite, "%s: a fully padded row gave a non-finite gradient", name.c_str());
  }
  EXPECT_REPORT();
}
