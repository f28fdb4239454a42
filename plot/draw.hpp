// PRIVATE to aegraph_plot: lays out and draws a figure onto a canvas.
#pragma once
#include "plot/canvas.hpp"

namespace aeg::plot {

void draw(const Figure& figure, Canvas& canvas);

}  // namespace aeg::plot
