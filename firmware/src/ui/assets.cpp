#include "ui/assets.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <map>

#include "ui/embedded.h"

namespace upw::ui {

namespace {

struct Catalogue {
  std::map<std::string, Asset, std::less<>> by_name;  // "app.css" -> asset
  std::map<std::string, const Asset*, std::less<>> by_url;
  std::map<std::string, std::string_view, std::less<>> templates;  // "login" -> text
};

std::string ContentType(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

std::string ShortHash(std::string_view content) {
  unsigned char out[16];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(content.data()),
                     content.size(), nullptr, 0);
  char hex[sizeof out * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return std::string(hex, 12);
}

const Catalogue& Get() {
  static const Catalogue kCatalogue = [] {
    Catalogue c;
    for (const EmbeddedFile& f : EmbeddedWebFiles()) {
      if (f.name.starts_with("templates/")) {
        std::string_view stem = f.name.substr(10);
        stem.remove_suffix(std::string_view(".mustache").size());
        c.templates.emplace(std::string(stem), f.content);
        continue;
      }
      const std::string name(f.name.substr(7));  // after "static/"
      const std::size_t dot = name.find('.');
      Asset a;
      a.url = "/static/" + name.substr(0, dot) + "." + ShortHash(f.content) + name.substr(dot);
      a.content_type = ContentType(name);
      a.content = f.content;
      c.by_name.emplace(name, std::move(a));
    }
    for (const auto& [name, asset] : c.by_name) c.by_url.emplace(asset.url, &asset);
    return c;
  }();
  return kCatalogue;
}

}  // namespace

const std::string& AssetUrl(std::string_view name) {
  auto it = Get().by_name.find(name);
  if (it == Get().by_name.end()) {
    std::fprintf(stderr, "upw: no embedded asset %.*s\n", static_cast<int>(name.size()),
                 name.data());
    std::abort();
  }
  return it->second.url;
}

const Asset* FindAsset(std::string_view path) {
  auto it = Get().by_url.find(path);
  return it == Get().by_url.end() ? nullptr : it->second;
}

std::string_view TemplateText(std::string_view name) {
  auto it = Get().templates.find(name);
  if (it == Get().templates.end()) {
    std::fprintf(stderr, "upw: no template %.*s\n", static_cast<int>(name.size()), name.data());
    std::abort();
  }
  return it->second;
}

}  // namespace upw::ui
