// The C++ trainer (ecd/trainer.h) driven without the C ABI: a loss that falls, micro-batches that
// add up to the whole batch, and a non-finite loss that changes nothing.
#include <ATen/ATen.h>

#include <cmath>
#include <limits>
#include <vector>

#include "check.h"
#include "core/failure.h"
#include "ecd/trainer.h"

using namespace fdl;

namespace {

// An embedding input of width 4, no combiner layers, a 3-class head; weights from seed.
EcdModel small_model(uint64_t seed) {
  at::manual_seed(seed);
  EcdModel model;
  model->add_input("x", std::make_shared<EmbeddingInput>(4));
  model->add_output("y", [](int64_t input_size) {
    return std::make_shared<CategoryOutput>(input_size, 3, std::vector<float>{});
  });
  model->build({}, false);
  return model;
}

fdl_train_spec sgd() {
  fdl_train_spec spec{};
  spec.optimizer.type = FDL_OPTIMIZER_SGD;
  spec.precision = FDL_PRECISION_FLOAT32;
  return spec;
}

struct Batch {
  at::Tensor x, y;
};

Batch batch(int64_t rows) {
  at::manual_seed(11);
  at::Tensor x = at::randn({rows, 4});
  return {x, x.slice(1, 0, 1).squeeze(1).gt(0).to(at::kLong) + x.slice(1, 1, 2).squeeze(1).gt(0).to(at::kLong)};
}

double max_weight_difference(Trainer& a, Trainer& b) {
  double worst = 0;
  auto pa = a.model()->parameters(), pb = b.model()->parameters();
  for (size_t i = 0; i < pa.size(); ++i) worst = std::max(worst, (pa[i] - pb[i]).abs().max().item<double>());
  return worst;
}

void loss_falls() {
  Trainer trainer(small_model(1));
  trainer.configure(sgd());
  Batch b = batch(32);
  double first = trainer.step({b.x}, {b.y}, MicroBatch{}, 0.5);
  double last = first;
  for (int i = 0; i < 30; ++i) last = trainer.step({b.x}, {b.y}, MicroBatch{}, 0.5);
  EXPECT(last < 0.7 * first, "loss %g -> %g", first, last);
}

void micro_batches_add_up_to_the_batch() {
  Trainer whole(small_model(2)), halves(small_model(2));
  whole.configure(sgd());
  halves.configure(sgd());
  Batch b = batch(8);
  whole.step({b.x}, {b.y}, MicroBatch{}, 0.1);
  halves.step({b.x.slice(0, 0, 4)}, {b.y.slice(0, 0, 4)}, MicroBatch{0.5, true, false}, 0.1);
  halves.step({b.x.slice(0, 4, 8)}, {b.y.slice(0, 4, 8)}, MicroBatch{0.5, false, true}, 0.1);
  double worst = max_weight_difference(whole, halves);
  EXPECT(worst < 1e-6, "two half micro-batches differ from the whole batch by %g", worst);
}

void a_non_finite_loss_changes_nothing() {
  Trainer trainer(small_model(3)), untouched(small_model(3));
  trainer.configure(sgd());
  Batch b = batch(4);
  b.x[0][0] = std::numeric_limits<float>::quiet_NaN();
  bool failed = false;
  try {
    trainer.step({b.x}, {b.y}, MicroBatch{}, 0.1);
  } catch (const Failure& e) {
    failed = std::string(e.what()).find("the loss is nan") != std::string::npos;
  }
  EXPECT(failed, "a NaN input is refused naming the loss");
  EXPECT(max_weight_difference(trainer, untouched) == 0, "the weights are unchanged");
}

}  // namespace

int main() {
  loss_falls();
  micro_batches_add_up_to_the_batch();
  a_non_finite_loss_changes_nothing();
  EXPECT_REPORT();
}
