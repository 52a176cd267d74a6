// What every page handler shares: form bodies, HTML and redirect responses, error summaries in
// the template data, same-origin checks, and the UK local times pages show and read.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"
#include "domain/civil_time.h"
#include "http/message.h"

namespace upw::ui {

using Form = std::map<std::string, std::string>;

// An application/x-www-form-urlencoded body. Invalid naming the field on a repeated name;
// Malformed (415 in spirit) if the body is of another type.
Result<Form> ParseForm(const http::Request& req);
// The value of `name`, or "" when absent.
std::string Value(const Form& form, const std::string& name);

// text/html with the headers every page carries (no caching of people's data, a strict content
// security policy: nothing from another origin, no inline script).
http::Response Html(int status, std::string body);
http::Response SeeOther(const std::string& location);

// Puts `s` into template data as the design system's error summary expects: "errors" (a list of
// {field, message}) and "error_<field>" for the message beside the field. `field` overrides the
// status's own field name (a form's name for an API field).
void AddError(nlohmann::json& data, const Status& s, const std::string& field = "");

// A form post from a page of this server: the Origin (or, failing that, the Referer) names this
// host. Browsers send Origin on every form POST; a cross-site one never gets here with the
// SameSite=Strict cookie anyway, so this is a second lock on the door.
bool SameOrigin(const http::Request& req);
// `next` if it is a path on this server ("/groups/1"), else "/today".
std::string SafeNext(const std::string& next);

// "09:05" for an instant, in UK local time.
std::string LocalTime(domain::UtcSeconds t);
// "Monday 23 November 2026".
std::string DateText(domain::Date d);
// The instant of "HH:MM" (UK local) within a work group's session: times before the start of a
// session that crosses midnight fall on the next day. nullopt if the text is not a time.
std::optional<domain::UtcSeconds> GroupTime(const nlohmann::json& group, const std::string& hhmm);
// "5 h 30 min".
std::string Duration(int minutes);

}  // namespace upw::ui
