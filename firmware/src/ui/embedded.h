// The tablet UI's files, compiled into the binary from web/ (templates, our CSS and JS, and the
// Scottish Government Design System's CSS vendored from web/node_modules at build time).
#pragma once

#include <string_view>
#include <vector>

namespace upw::ui {

struct EmbeddedFile {
  std::string_view name;  // e.g. "templates/login.mustache", "static/app.css"
  std::string_view content;
};

const std::vector<EmbeddedFile>& EmbeddedWebFiles();

}  // namespace upw::ui
