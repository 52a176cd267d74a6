#include "ui/sync_page.h"

#include "app/conflicts.h"
#include "domain/civil_time.h"
#include "ui/forms.h"
#include "ui/render.h"

namespace upw::ui {

using nlohmann::json;

namespace {

// "14:02 on 23 Nov": instants on this page are recent, so the time comes first.
std::string When(const std::string& utc) {
  auto t = domain::ParseTimestamp(utc);
  if (!t) return utc;
  const auto d = domain::UkLocalDate(*t);
  return LocalTime(*t) + " on " + DateText(d);
}

std::string ClockText(const json& offset) {
  if (!offset.is_number_integer()) return "Not compared yet";
  const std::int64_t ms = offset.get<std::int64_t>();
  const std::int64_t s = (ms < 0 ? -ms : ms) / 1000;
  if (s < 60) return "In step with head office";
  std::string amount = s < 3600    ? std::to_string(s / 60) + " min"
                       : s < 86400 ? std::to_string(s / 3600) + " h"
                                   : std::to_string(s / 86400) + " days";
  return "This device's clock is " + amount + (ms > 0 ? " ahead of" : " behind") +
         " head office: set it right";
}

std::string EventSummary(const json& e) {
  std::string text = e.value("author", "") + ", " + When(e.value("recorded_at", "")) + ": ";
  if (e.value("kind", "") == "void") return text + "voided the record";
  text += OutcomeLabel(e.value("outcome", ""));
  auto in = domain::ParseTimestamp(e.value("sign_in", ""));
  auto out = domain::ParseTimestamp(e.value("sign_out", ""));
  if (in) text += ", " + LocalTime(*in);
  if (out) text += "–" + LocalTime(*out);
  return text;
}

http::Response Show(PageContext& c, app::SyncPort& sync, json data, int status) {
  auto st = sync.SyncStatus();
  if (!st.ok()) {
    AddError(data, st.status());
  } else {
    const json& s = *st;
    data["enrolled"] = s.value("enrolled", false);
    data["name"] = s.value("name", "");
    data["kind"] = s.value("kind", "") == "van" ? "van tablet" : "base device";
    data["must_enrol"] = s.value("status", "") == "must_enrol";
    data["status_detail"] = s.value("status_detail", "");
    const std::int64_t depth = s.value("queue_depth", std::int64_t{0});
    data["queue_text"] =
        depth == 0
            ? std::string("Nothing: head office has every change")
            : std::to_string(depth) + (depth == 1 ? " change" : " changes") + ", the oldest from " +
                  When(s["oldest_unsent_at"].is_string() ? s["oldest_unsent_at"].get<std::string>()
                                                         : "");
    const std::string good = s.value("last_good_at", "");
    data["last_good_text"] = good.empty() ? std::string("Never") : When(good);
    data["last_error"] = s.value("last_error", "");
    data["last_attempt_at"] = When(s.value("last_attempt_at", ""));
    data["clock_text"] = ClockText(s.contains("clock_offset_ms") ? s["clock_offset_ms"] : json());
    int open = 0;
    for (const auto& k : s.value("conflicts", json::array()))
      open += k.value("status", "") == "open";
    data["conflicts_text"] =
        open == 0 ? std::string("None open") : std::to_string(open) + " waiting for a planner";
    data["rejected"] = s.value("rejected", json::array());
  }
  const bool planner = c.actor.role == app::Role::kPlanner || c.actor.role == app::Role::kAdmin;
  if (planner) {
    auto list = app::ListConflicts(c.s, c.actor);
    if (list.ok()) {
      json conflicts = json::array();
      for (auto k : *list) {
        k["can_resolve"] = true;
        if (auto d = domain::ParseDate(k.value("session_date", ""))) {
          k["session_date"] = DateText(*d);
        }
        for (auto& e : k["events"]) e["summary"] = EventSummary(e);
        conflicts.push_back(k);
      }
      data["conflicts"] = conflicts;
    }
  }
  for (const auto& [k, v] : c.layout.items()) data[k] = v;
  data["title"] = "Sync";
  return Html(status, RenderPage("sync", data));
}

}  // namespace

http::Response SyncPages(PageContext& c, app::SyncPort* sync, const std::vector<std::string>& seg) {
  if (sync == nullptr) {
    return Html(404, RenderPage("message", {{"title", "Not found"},
                                            {"heading", "This device does not sync"},
                                            {"text", "There is no sync service on this device."}}));
  }
  const bool post = c.req.method == "POST";
  if (seg.size() == 1 && !post) return Show(c, *sync, json::object(), 200);
  if (seg.size() == 2 && seg[1] == "run" && post) {
    const json r = sync->SyncNow();
    json data;
    data["ran"] = true;
    data["ran_ok"] = r.value("ok", false);
    data["ran_text"] =
        r.value("ok", false)
            ? "Synced: sent " + std::to_string(r.value("ops_pushed", 0)) + " changes, received " +
                  std::to_string(r.value("changes_pulled", 0)) + "."
            : "Not synced: " + r.value("error", std::string("head office did not answer")) +
                  ". Everything is kept on this device; it tries again by itself.";
    return Show(c, *sync, data, 200);
  }
  if (seg.size() == 3 && seg[1] == "conflicts" && post) {
    auto form = ParseForm(c.req);
    json data = json::object();
    if (!form.ok()) {
      AddError(data, form.status());
      return Show(c, *sync, data, 400);
    }
    const std::string keep = Value(*form, "keep");
    if (keep.empty()) {
      AddError(data, Status::Invalid("keep", "choose the version that stands"));
      return Show(c, *sync, data, 422);
    }
    Status s = app::ResolveConflict(c.s, c.actor, seg[2], keep);
    if (!s.ok()) {
      AddError(data, s, "keep");
      return Show(c, *sync, data, s.code() == Code::kForbidden ? 403 : 422);
    }
    return SeeOther("/sync");
  }
  return Html(404, RenderPage("message", {{"title", "Not found"},
                                          {"heading", "Page not found"},
                                          {"text", "There is no page at this address."}}));
}

}  // namespace upw::ui
