// Learning curves: the train and test loss per epoch (and each penalty's test
// value, the KL for VAEs) as curves.png and curves.svg beside the checkpoint,
// redrawn at every epoch end; a resumed run continues the same curves.
#pragma once
#include <string>

#include "io/checkpoint.hpp"
#include "plot/figure.hpp"

namespace aeg::train {

struct Metrics;

// The figure of a checkpoint's histories; `title` heads it. A loss panel (log
// scale when the losses span a decade or more), and a penalty panel when the
// checkpoint records penalties.
plot::Figure curves_figure(const io::Checkpoint& ck, const std::string& title);

// "vae, model.h5, epoch 10": the checkpoint's recipe (or "model" for a hand-built
// one), `name` and its epoch.
std::string curves_title(const io::Checkpoint& ck, const std::string& name);

// "<folder of checkpoint>/curves": where ae-train draws them (.png, .svg).
std::string curves_stem(const std::string& checkpoint);

// The trainer's epoch end: carries the penalty histories from epoch to epoch
// (from a resumed checkpoint on) into each checkpoint, and draws its curves
// beside it once it is saved (the checkpoint first: it matters more).
class CurveHistory {
 public:
  explicit CurveHistory(const io::Checkpoint& resumed) : penalties_(resumed.test_penalties) {}
  // Before saving: ck holds this epoch's train_loss and test_loss; m is this epoch's test evaluation.
  void record(const Metrics& m, io::Checkpoint& ck);
  // After saving ck as `checkpoint`: curves.png and curves.svg beside it.
  static void draw(const io::Checkpoint& ck, const std::string& checkpoint);

 private:
  std::vector<std::pair<std::string, std::vector<double>>> penalties_;
};

}  // namespace aeg::train
