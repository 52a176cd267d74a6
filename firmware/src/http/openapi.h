// The OpenAPI 3 description of /api/v1, built from the same resource specs that validate requests,
// so the document cannot drift from what the server accepts. Served at /api/v1/openapi.json.
#pragma once

#include <nlohmann/json.hpp>

namespace upw::http {

nlohmann::json OpenApiDocument();

}  // namespace upw::http
