#include "ui/render.h"

#include <kainjow/mustache.hpp>

#include <stdexcept>

#include "ui/assets.h"

namespace upw::ui {

namespace {

namespace mstch = kainjow::mustache;

mstch::data ToData(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mstch::data d{mstch::data::type::object};
      for (const auto& [k, v] : j.items()) {
        d.set(k, ToData(v));
        // Mustache cannot ask "is this list empty?": any_<list> answers it, for wrappers such
        // as <ul> around a list's items.
        if (v.is_array()) d.set("any_" + k, mstch::data{!v.empty()});
      }
      return d;
    }
    case nlohmann::json::value_t::array: {
      mstch::data d{mstch::data::type::list};
      for (const auto& v : j) d.push_back(ToData(v));
      return d;
    }
    case nlohmann::json::value_t::string:
      // An empty string is "nothing to show": falsy in {{#x}} sections, and still "" in {{x}}.
      if (j.get_ref<const std::string&>().empty()) return mstch::data{false};
      return mstch::data{j.get<std::string>()};
    case nlohmann::json::value_t::boolean:
      return mstch::data{j.get<bool>()};
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return mstch::data{j.dump()};
    default:
      return mstch::data{false};
  }
}

}  // namespace

std::string Render(const std::string& name, const nlohmann::json& data) {
  mstch::mustache tmpl{std::string(TemplateText(name))};
  if (!tmpl.is_valid()) throw std::logic_error("template " + name + ": " + tmpl.error_message());
  mstch::data d = ToData(data);
  // Shared fragments, included with {{> name}}.
  d.set("error_summary", mstch::partial{[] { return std::string(TemplateText("error_summary")); }});
  std::string out = tmpl.render(d);
  if (!tmpl.is_valid()) throw std::logic_error("template " + name + ": " + tmpl.error_message());
  return out;
}

std::string RenderPage(const std::string& name, const nlohmann::json& data) {
  nlohmann::json layout = data;
  layout["css_ds"] = AssetUrl("design-system.min.css");
  layout["css_app"] = AssetUrl("app.css");
  layout["js_app"] = AssetUrl("app.js");
  const std::string body = Render(name, layout);
  mstch::mustache tmpl{std::string(TemplateText("layout"))};
  mstch::data d = ToData(layout);
  d.set("body", body);
  if (!tmpl.is_valid()) throw std::logic_error("layout: " + tmpl.error_message());
  return tmpl.render(d);
}

}  // namespace upw::ui
