// The zoo's named recipes, one row each: a name, whether it is convolutional (its
// layers are worked out for the image by zoo/conv_recipes.cpp), and what it sets on
// a default ModelSpec. recipe(), recipe_names(), is_conv_recipe() and the apps'
// --model help all read this table: adding a recipe is one row.
#include <stdexcept>

#include "zoo/conv_recipes.hpp"
#include "zoo/spec.hpp"

namespace aeg::zoo {

namespace {

void one_layer(ModelSpec& s, std::int64_t code, Activation a) {
  s.hidden = {};
  s.code = code;
  s.activation = s.code_activation = a;
}

void vae(ModelSpec& s) {
  s.hidden = {400};
  s.code = 20;
  s.variational = true;
}

struct RecipeRow {
  const char* name;
  bool conv;                 // layers from fit_conv_recipe for the data's image shape
  void (*fill)(ModelSpec&);  // the dense recipes' settings (conv ones: nothing beyond their layers)
};

const RecipeRow kRecipes[] = {
    {"shallow", false, [](ModelSpec& s) { one_layer(s, 64, Activation::Sigmoid); }},
    {"undercomplete", false, [](ModelSpec& s) { one_layer(s, 32, Activation::Relu); }},
    {"tied", false, [](ModelSpec& s) { one_layer(s, 32, Activation::Relu); s.tied = true; }},
    {"deep", false, [](ModelSpec& s) { s.hidden = {128, 64}; s.code = 32; }},
    {"sparse-l1", false, [](ModelSpec& s) { one_layer(s, 32, Activation::Relu); s.l1 = 0.0784; }},
    {"sparse-kl", false, [](ModelSpec& s) {
       one_layer(s, 196, Activation::Sigmoid);
       s.loss = Loss::MSE;
       s.kl_rho = 0.1;
       s.kl_beta = 3;
       s.weight_decay = 3e-3;
       s.decay_biases = false;  // UFLDL's lambda/2 sum W^2: decaying the biases too misses the reference by 4.5 %
     }},
    {"denoising", false, [](ModelSpec& s) {
       one_layer(s, 256, Activation::Sigmoid);
       s.noise = Noise::Masking;
       s.noise_level = 0.25;
     }},
    {"contractive", false, [](ModelSpec& s) { one_layer(s, 256, Activation::Sigmoid); s.contractive = 0.1; }},
    {"linear", false, [](ModelSpec& s) {
       one_layer(s, 32, Activation::Identity);
       s.output = Activation::Identity;
       s.loss = Loss::MSE;
     }},
    {"vae", false, vae},
    {"beta-vae", false, [](ModelSpec& s) { vae(s); s.beta = 4; }},
    {"cvae", false, [](ModelSpec& s) { vae(s); s.conditional = true; }},
    {"vae-2d", false, [](ModelSpec& s) { s.hidden = {256}; s.code = 2; s.variational = true; }},
    {"k-sparse", false, [](ModelSpec& s) {
       one_layer(s, 1000, Activation::Identity);
       s.tied = true;
       s.k_sparse = 25;
       s.output = Activation::Identity;
       s.loss = Loss::MSE;
     }},
    {"conv", true, nullptr},
    {"conv-strided", true, nullptr},
    {"conv-pool", true, nullptr},
    {"conv-denoise", true, nullptr},
    {"conv-vae", true, nullptr},
};

const RecipeRow* find_recipe(const std::string& name) {
  for (const RecipeRow& r : kRecipes)
    if (name == r.name) return &r;
  return nullptr;
}

}  // namespace

ModelSpec recipe(const std::string& name) { return recipe(name, 784, {1, 28, 28}); }

ModelSpec recipe(const std::string& name, std::int64_t features, const std::vector<std::int64_t>& image_shape) {
  const RecipeRow* row = find_recipe(name);
  if (!row) {
    std::string all;
    for (const auto& r : recipe_names()) all += (all.empty() ? "" : ", ") + r;
    throw std::invalid_argument("unknown model '" + name + "' (known: " + all + ")");
  }
  ModelSpec s;
  s.recipe = name;
  s.features = features;
  s.image_shape = image_shape;
  if (row->fill) row->fill(s);
  if (row->conv) fit_conv_recipe(s, name, s.image_shape);
  validate(s);
  return s;
}

std::vector<std::string> recipe_names() {
  std::vector<std::string> names;
  for (const RecipeRow& r : kRecipes) names.emplace_back(r.name);
  return names;
}

bool is_conv_recipe(const std::string& name) {
  const RecipeRow* row = find_recipe(name);
  return row && row->conv;
}

}  // namespace aeg::zoo
