// The analysis library (analysis/): walks through the code space and the ROC
// figures of anomaly scores, on known answers.
#include <catch2/catch.hpp>

#include <cmath>

#include "analysis/anomaly.hpp"
#include "analysis/latent.hpp"

using Catch::Matchers::Contains;
using namespace aeg;

TEST_CASE("code-space walks", "[analysis][latent]") {
  const float a[3] = {0, 1, 2}, b[3] = {4, 1, -2};
  const analysis::Codes line = analysis::interpolate(a, b, 3, 5);
  REQUIRE(line.size() == 15);
  CHECK(line[0] == 0);
  CHECK(line[2] == 2);
  CHECK(line[12] == 4);
  CHECK(line[14] == -2);
  CHECK(line[6] == Approx(2));  // the middle
  CHECK(line[7] == Approx(1));
  CHECK_THROWS_WITH(analysis::interpolate(a, b, 3, 1), Contains("at least 2"));

  const analysis::Codes t = analysis::traverse({0, 1, 2, 3, 4, 5}, 3, 1, {-1, 7});
  CHECK(t == analysis::Codes{0, -1, 2, 0, 7, 2, 3, -1, 5, 3, 7, 5});
  CHECK_THROWS_WITH(analysis::traverse({0, 1, 2}, 3, 3, {0}), Contains("units 0..2"));

  CHECK(analysis::normal_quantile(0.5) == Approx(0).margin(1e-12));
  CHECK(analysis::normal_quantile(0.975) == Approx(1.959963984540054));
  CHECK(analysis::normal_quantile(0.05) == Approx(-1.644853626951472));
  const analysis::Codes grid = analysis::manifold_grid(3, analysis::normal_quantile, analysis::normal_quantile);
  REQUIRE(grid.size() == 18);
  CHECK(grid[0] < 0);        // top left: low x
  CHECK(grid[1] > 0);        // ... high y
  CHECK(grid[8] == Approx(0).margin(1e-6));  // centre
  CHECK(grid[9] == Approx(0).margin(1e-6));

  const std::vector<float> sorted{1, 2, 3, 5};
  CHECK(analysis::empirical_quantile(sorted, 0) == 1);
  CHECK(analysis::empirical_quantile(sorted, 1) == 5);
  CHECK(analysis::empirical_quantile(sorted, 0.5) == Approx(2.5));
}

TEST_CASE("ROC AUC", "[analysis][anomaly]") {
  CHECK(analysis::roc_auc({0.1f, 0.2f, 0.8f, 0.9f}, {false, false, true, true}) == 1.0);
  CHECK(analysis::roc_auc({0.1f, 0.2f, 0.8f, 0.9f}, {true, true, false, false}) == 0.0);
  CHECK(analysis::roc_auc({0.5f, 0.5f, 0.5f}, {true, false, false}) == 0.5);
  // Positives 0.3, 0.7; negatives 0.2, 0.5, 0.7: pairs won 1 + (2 + 1/2) of 6.
  CHECK(analysis::roc_auc({0.3f, 0.7f, 0.2f, 0.5f, 0.7f}, {true, true, false, false, false}) == Approx(3.5 / 6));
  CHECK_THROWS_WITH(analysis::roc_auc({0.1f}, {true}), Contains("both"));
  const analysis::SampleErrors e = analysis::per_sample_errors(std::vector<float>{0, 1, 1, 1}.data(),
                                                       std::vector<float>{0.5f, 0.5f, 1, 1}.data(), 2, 2);
  CHECK(e.mse[0] == Approx(0.25));
  CHECK(e.mse[1] == 0);
  CHECK(e.bce[0] == Approx(std::log(2.0)));
  CHECK(e.bce[1] == Approx(0).margin(1e-6));
}

TEST_CASE("the ROC curve steps through every threshold from (0, 0) to (1, 1)", "[analysis][anomaly]") {
  const analysis::RocCurve c = analysis::roc_curve({0.9f, 0.8f, 0.8f, 0.1f}, {true, false, true, false});
  CHECK(c.fpr == std::vector<double>{0, 0, 0.5, 1});
  CHECK(c.tpr == std::vector<double>{0, 0.5, 1, 1});
  CHECK_THROWS(analysis::roc_curve({0.5f}, {true}));
}

