// HTML from the mustache templates in web/templates: {{x}} is always HTML-escaped; the only
// unescaped insertion is the rendered page body into the layout.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace upw::ui {

// Renders templates/<name> with `data` (JSON: objects, arrays, strings, numbers, booleans; null
// and false are falsy sections).
std::string Render(const std::string& name, const nlohmann::json& data);
// Renders templates/<name> inside templates/layout. `data` may hold "title" (the page's <title>),
// "user" (who is signed in) and "nav" (show the Today link). Adds the asset URLs.
std::string RenderPage(const std::string& name, const nlohmann::json& data);

}  // namespace upw::ui
