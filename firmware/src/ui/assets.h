// The UI's embedded files: templates by name, and static assets under content-hashed URLs
// ("/static/app.3f2a9c1b.css"), so a browser may cache them for ever and still never run a stale
// one after the device is updated. Built once, on first use; thread-safe after that.
#pragma once

#include <string>
#include <string_view>

namespace upw::ui {

struct Asset {
  std::string url;           // /static/<stem>.<hash>.<ext>
  std::string content_type;  // text/css; charset=utf-8, ...
  std::string_view content;
};

// The hashed URL of static/<name>, e.g. AssetUrl("app.css"). Aborts on an unknown name: that is a
// programmer error, caught by any test that renders a page.
const std::string& AssetUrl(std::string_view name);
// The asset served at `path`, or nullptr.
const Asset* FindAsset(std::string_view path);
// The text of templates/<name>.mustache. Aborts on an unknown name (a programmer error).
std::string_view TemplateText(std::string_view name);

}  // namespace upw::ui
