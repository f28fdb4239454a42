// The recipe table (zoo/recipes.cpp) and the spec's field table (zoo/spec.cpp).
#include <catch2/catch.hpp>

#include <set>

#include "zoo/conv_recipes.hpp"
#include "zoo/spec.hpp"

using namespace aeg;

TEST_CASE("every recipe of the table builds a valid spec whose text reads back the same", "[zoo][recipes]") {
  const auto names = zoo::recipe_names();
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
  for (const std::string& name : names) {
    INFO(name);
    const zoo::ModelSpec s = zoo::recipe(name);
    CHECK(s.recipe == name);
    CHECK(zoo::is_conv_recipe(name) == !s.conv_encoder.empty());
    const std::string text = zoo::to_text(s);
    CHECK(zoo::to_text(zoo::parse_spec(text)) == text);
  }
  CHECK_FALSE(zoo::is_conv_recipe("no-such-recipe"));
  CHECK_THROWS_WITH(zoo::recipe("no-such-recipe"), Catch::Contains("known: shallow, undercomplete"));
}

TEST_CASE("the spec's text has one line per field, and the apps' overrides are the fields' options", "[zoo][recipes]") {
  const std::string text = zoo::to_text(zoo::recipe("conv-vae"));
  CHECK(std::count(text.begin(), text.end(), '\n') == 28);
  const auto options = zoo::spec_options();
  CHECK(std::set<std::string>(options.begin(), options.end()) ==
        std::set<std::string>{"hidden", "code", "activation", "code-activation", "output", "loss", "tied", "noise",
                              "l1", "kl-rho", "kl-beta", "contractive", "k", "beta", "conditional", "weight-decay",
                              "decay-biases", "conv-encoder", "conv-decoder", "conv-code"});
  CHECK(zoo::parse_sizes("128,,64") == std::vector<std::int64_t>{128, 64});
  CHECK_FALSE(zoo::parse_sizes("128,x").has_value());
  CHECK_FALSE(zoo::parse_sizes("0").has_value());
  CHECK_THROWS_WITH(zoo::parse_spec("loss = hinge\n"), Catch::Contains("spec line 1: loss 'hinge': expected bce or mse"));
}
