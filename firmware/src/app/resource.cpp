#include "app/resource.h"

#include <algorithm>
#include <set>

#include "app/journal.h"
#include "common/ids.h"
#include "domain/civil_time.h"

namespace upw::app {

using nlohmann::json;

namespace {

bool IsListType(FieldType t) { return t == FieldType::kTextList || t == FieldType::kIdList; }

// Checks one value from a request and returns it in stored form (times normalised). Null clears an
// optional field. The message names what is expected, so the caller can fix it.
Result<json> DecodeValue(const Field& f, const json& v) {
  if (v.is_null()) {
    if (f.required || !f.fallback.is_null()) {
      return Status::Invalid(f.name, f.name + " cannot be null");
    }
    return json(nullptr);
  }
  auto bad = [&](const std::string& what) { return Status::Invalid(f.name, f.name + " " + what); };
  switch (f.type) {
    case FieldType::kText: {
      if (!v.is_string()) return bad("must be a string");
      const auto& t = v.get_ref<const std::string&>();
      if (static_cast<std::int64_t>(t.size()) > f.max) {
        return bad("must be at most " + std::to_string(f.max) + " characters");
      }
      if (f.required && t.find_first_not_of(" \t\r\n") == std::string::npos) {
        return bad("must not be blank");
      }
      return v;
    }
    case FieldType::kInt:
      if (!v.is_number_integer()) return bad("must be a whole number");
      if (v.get<std::int64_t>() < f.min || v.get<std::int64_t>() > f.max) {
        return bad("must be between " + std::to_string(f.min) + " and " + std::to_string(f.max));
      }
      return v;
    case FieldType::kBool:
      if (!v.is_boolean()) return bad("must be true or false");
      return v;
    case FieldType::kDate:
      if (!v.is_string() || !domain::ParseDate(v.get<std::string>())) {
        return bad("must be a date as YYYY-MM-DD");
      }
      return v;
    case FieldType::kTime: {
      auto t = v.is_string() ? domain::ParseTimeOfDay(v.get<std::string>()) : std::nullopt;
      if (!t) return bad("must be a time of day as HH:MM");
      return json(domain::FormatTimeOfDay(*t));
    }
    case FieldType::kEnum:
      if (!v.is_string() || std::find(f.values.begin(), f.values.end(), v) == f.values.end()) {
        std::string all;
        for (const auto& x : f.values) all += (all.empty() ? "" : ", ") + x;
        return bad("must be one of: " + all);
      }
      return v;
    case FieldType::kRef:
      if (!v.is_string() || !IsUuid(v.get<std::string>())) return bad("must be an id (UUID)");
      return v;
    case FieldType::kTextList:
    case FieldType::kIdList: {
      if (!v.is_array()) return bad("must be a list");
      if (static_cast<std::int64_t>(v.size()) > f.max) {
        return bad("may hold at most " + std::to_string(f.max) + " items");
      }
      std::set<std::string> seen;
      for (const auto& item : v) {
        if (!item.is_string()) return bad("must be a list of strings");
        const auto& s = item.get_ref<const std::string&>();
        if (f.type == FieldType::kIdList && !IsUuid(s)) return bad("must be a list of ids");
        if (f.type == FieldType::kTextList && !f.values.empty() &&
            std::find(f.values.begin(), f.values.end(), s) == f.values.end()) {
          return bad("has an unknown value '" + s.substr(0, 40) + "'");
        }
        if (!seen.insert(s).second) return bad("lists '" + s.substr(0, 40) + "' twice");
      }
      return v;
    }
  }
  return bad("has an unsupported type");
}

json ColumnValue(const Field& f, const store::Stmt& s, int c) {
  if (s.IsNull(c)) return IsListType(f.type) ? json::array() : json(nullptr);
  if (f.type == FieldType::kBool) return s.Int(c) != 0;
  if (IsListType(f.type)) return json::parse(s.Text(c), nullptr, false);
  return s.Json(c);
}

std::string SelectList(const ResourceSpec& spec) {
  std::string cols = "id, version, created_at, updated_at";
  for (const auto& f : spec.fields) cols += ", " + f.name;
  return cols;
}

json RowFromStmt(const ResourceSpec& spec, const store::Stmt& s) {
  json row = json::object();
  row["id"] = s.Text(0);
  row["version"] = s.Int(1);
  row["created_at"] = s.Text(2);
  row["updated_at"] = s.Text(3);
  for (std::size_t i = 0; i < spec.fields.size(); ++i) {
    row[spec.fields[i].name] = ColumnValue(spec.fields[i], s, static_cast<int>(i) + 4);
  }
  return row;
}

// Shapes a stored row for the actor: derived figures added, sensitive fields hidden.
json Present(store::Db& db, const Services& s, const Actor& a, const ResourceSpec& spec, json row) {
  if (spec.derive) spec.derive(db, row, s);
  if (a.role != Role::kPlanner && a.role != Role::kAdmin) {
    for (const auto& f : spec.fields) {
      if (f.planners_only) row.erase(f.name);
    }
  }
  return row;
}

bool CanRead(const Actor& a, const ResourceSpec& spec) {
  return a.role != Role::kSupervisor || !spec.supervisor_scope.empty();
}

Status CheckRefsExist(store::Db& db, const ResourceSpec& spec, const json& row) {
  for (const auto& f : spec.fields) {
    if (f.type != FieldType::kRef || row[f.name].is_null()) continue;
    store::Stmt& st = db.Prepare("SELECT 1 FROM " + f.ref + " WHERE id = ?");
    if (!st.Bind(1, row[f.name].get<std::string>()).Step()) {
      if (!st.status().ok()) return st.status();
      return Status::Invalid(f.name, f.name + " refers to a record that does not exist");
    }
  }
  return Status::Ok();
}

// Validates the request object's fields against the spec for a create or an edit.
Status DecodeBody(const Actor& a, const ResourceSpec& spec, const json& body, bool creating,
                  json& row) {
  if (!body.is_object())
    return Status::Error(Code::kMalformed, "", "the body must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    if (key == "id" && creating) continue;
    auto it = std::find_if(spec.fields.begin(), spec.fields.end(),
                           [&](const Field& f) { return f.name == key; });
    if (it == spec.fields.end()) {
      return Status::Invalid(key, key + " is not a field of " + spec.path);
    }
    const Field& f = *it;
    const bool allowed =
        f.access == WriteAccess::kPlanner ||
        (creating &&
         (f.access == WriteAccess::kOfficeOnly || f.access == WriteAccess::kCreateOnly)) ||
        (!creating && f.access == WriteAccess::kOfficeOnly && a.role == Role::kAdmin);
    if (!allowed) {
      if (f.access == WriteAccess::kServer)
        return Status::Invalid(key, key + " is set by the service");
      return Status::Error(Code::kForbidden, key,
                           key + " can only be changed by head office once the record exists");
    }
    auto decoded = DecodeValue(f, value);
    if (!decoded.ok()) return decoded.status();
    row[key] = std::move(decoded).value();
  }
  if (creating) {
    for (const auto& f : spec.fields) {
      if (!row.contains(f.name)) row[f.name] = IsListType(f.type) ? json::array() : f.fallback;
    }
  }
  return Status::Ok();
}

Status CheckRequired(const ResourceSpec& spec, const json& row) {
  for (const auto& f : spec.fields) {
    if (f.required && row[f.name].is_null())
      return Status::Invalid(f.name, f.name + " is required");
  }
  return Status::Ok();
}

store::Stmt& BindRow(store::Stmt& st, const ResourceSpec& spec, const json& row, int first) {
  for (std::size_t i = 0; i < spec.fields.size(); ++i) {
    const json& v = row[spec.fields[i].name];
    if (IsListType(spec.fields[i].type)) {
      st.Bind(first + static_cast<int>(i), v.is_null() ? std::string("[]") : v.dump());
    } else {
      st.BindJson(first + static_cast<int>(i), v);
    }
  }
  return st;
}

Status WritePolicy(const Actor& a) {
  if (a.role == Role::kPlanner || a.role == Role::kAdmin) return Status::Ok();
  return Status::Error(Code::kForbidden, "", "only planners may change this");
}

}  // namespace

const ResourceSpec* FindResource(const std::string& path) {
  for (const auto& r : Resources()) {
    if (r.path == path) return &r;
  }
  return nullptr;
}

const ResourceSpec& Spec(const std::string& path) { return *FindResource(path); }

json LoadRow(store::Db& db, const ResourceSpec& spec, const std::string& id) {
  store::Stmt& st =
      db.Prepare("SELECT " + SelectList(spec) + " FROM " + spec.table + " WHERE id = ?");
  if (!st.Bind(1, id).Step()) return nullptr;
  return RowFromStmt(spec, st);
}

Result<std::vector<json>> ListEntities(const Services& s, const Actor& a, const ResourceSpec& spec,
                                       const Query& q) {
  if (!CanRead(a, spec))
    return Status::Error(Code::kForbidden, "", "supervisors cannot list " + spec.path);
  // The supervisor scope comes first so that its ?1 is the first parameter and the filters' plain
  // ? placeholders number on from it.
  std::string where =
      a.role == Role::kSupervisor ? "(" + spec.supervisor_scope + ")" : std::string("1=1");
  std::vector<std::string> binds;
  int limit = 100;
  int offset = 0;
  for (const auto& [key, value] : q) {
    if (key == "limit" || key == "offset") {
      char* end = nullptr;
      const long n = std::strtol(value.c_str(), &end, 10);
      const bool is_limit = key == "limit";
      if (value.empty() || *end != '\0' || n < (is_limit ? 1 : 0) ||
          n > (is_limit ? 500 : 1000000)) {
        return Status::Invalid(key, is_limit ? "limit must be a whole number from 1 to 500"
                                             : "offset must be a whole number from 0");
      }
      (is_limit ? limit : offset) = static_cast<int>(n);
    } else if ((key == "from" || key == "to") && !spec.date_field.empty()) {
      if (!domain::ParseDate(value))
        return Status::Invalid(key, key + " must be a date as YYYY-MM-DD");
      where += " AND " + spec.date_field + (key == "from" ? " >= ?" : " <= ?");
      binds.push_back(value);
    } else {
      auto it = std::find_if(spec.fields.begin(), spec.fields.end(),
                             [&](const Field& f) { return f.name == key; });
      if (it == spec.fields.end() || IsListType(it->type) || it->planners_only) {
        return Status::Invalid(key, key + " is not a filter of " + spec.path);
      }
      json v = value;
      if (it->type == FieldType::kInt || it->type == FieldType::kBool) {
        json parsed = json::parse(value, nullptr, false);
        v = parsed.is_discarded() ? json(value) : parsed;
      }
      Field loose = *it;
      loose.required = false;
      if (auto d = DecodeValue(loose, v); !d.ok()) return d.status();
      where += " AND " + key + " = ?";
      binds.push_back(it->type == FieldType::kBool ? (v.get<bool>() ? "1" : "0") : value);
    }
  }
  auto lease = s.reads.Acquire();
  store::Stmt& st = lease->Prepare(
      "SELECT " + SelectList(spec) + " FROM " + spec.table + " WHERE " + where + " ORDER BY " +
      spec.order_by + ", id LIMIT " + std::to_string(limit) + " OFFSET " + std::to_string(offset));
  int i = 1;
  if (a.role == Role::kSupervisor) st.Bind(i++, a.supervisor_id.value_or(""));
  for (const auto& b : binds) st.Bind(i++, b);
  std::vector<json> rows;
  while (st.Step()) rows.push_back(RowFromStmt(spec, st));
  if (!st.status().ok()) return st.status();
  for (auto& r : rows) r = Present(lease.db(), s, a, spec, std::move(r));
  return rows;
}

Result<Entity> GetEntity(const Services& s, const Actor& a, const ResourceSpec& spec,
                         const std::string& id) {
  if (!CanRead(a, spec))
    return Status::Error(Code::kForbidden, "", "supervisors cannot read " + spec.path);
  auto lease = s.reads.Acquire();
  std::string sql = "SELECT " + SelectList(spec) + " FROM " + spec.table + " WHERE ";
  sql += a.role == Role::kSupervisor ? "(" + spec.supervisor_scope + ") AND id = ?2" : "id = ?1";
  store::Stmt& st = lease->Prepare(sql);
  if (a.role == Role::kSupervisor) st.Bind(1, a.supervisor_id.value_or(""));
  st.Bind(a.role == Role::kSupervisor ? 2 : 1, id);
  if (!st.Step()) {
    if (!st.status().ok()) return st.status();
    return Status::Error(Code::kNotFound, "id",
                         "no " + spec.entity + " with id " + id.substr(0, 64));
  }
  json row = RowFromStmt(spec, st);
  const std::int64_t version = row["version"].get<std::int64_t>();
  return Entity{Present(lease.db(), s, a, spec, std::move(row)), version};
}

Result<Entity> CreateEntity(const Services& s, const Actor& a, const ResourceSpec& spec,
                            const json& body) {
  if (Status p = WritePolicy(a); !p.ok()) return p;
  json row = json::object();
  if (Status d = DecodeBody(a, spec, body, true, row); !d.ok()) return d;
  std::string client_id;
  if (body.contains("id")) {
    if (!body["id"].is_string() || !IsUuid(body["id"].get<std::string>())) {
      return Status::Invalid("id", "id must be a UUID (lower-case, minted by the client)");
    }
    client_id = body["id"].get<std::string>();
  }
  json stored;
  Status st = s.writer.Run([&](store::WriteContext& ctx) -> Status {
    const std::string id = client_id.empty() ? ctx.NewId() : client_id;
    if (!client_id.empty()) {
      json existing = LoadRow(ctx.db(), spec, id);
      if (!existing.is_null()) {
        return Status::Error(Code::kConflict, "id", "a " + spec.entity + " with this id exists");
      }
    }
    // Required fields and references first: the cross-field rules may rely on both.
    if (Status r = CheckRequired(spec, row); !r.ok()) return r;
    if (Status r = CheckRefsExist(ctx.db(), spec, row); !r.ok()) return r;
    if (Status c = spec.check ? spec.check(ctx.db(), row, nullptr, s) : Status::Ok(); !c.ok()) {
      return c;
    }
    std::string cols = "id, version, created_at, updated_at";
    std::string marks = "?, 1, ?, ?";
    for (const auto& f : spec.fields) {
      cols += ", " + f.name;
      marks += ", ?";
    }
    store::Stmt& ins =
        ctx.db().Prepare("INSERT INTO " + spec.table + " (" + cols + ") VALUES (" + marks + ")");
    ins.Bind(1, id).Bind(2, ctx.now_text()).Bind(3, ctx.now_text());
    if (Status w = BindRow(ins, spec, row, 4).Run(); !w.ok()) {
      return w.code() == Code::kConflict
                 ? Status::Error(Code::kConflict, "",
                                 "conflicts with a stored record: " + w.message())
                 : w;
    }
    stored = LoadRow(ctx.db(), spec, id);
    return Journal(
        ctx, a,
        {spec.entity + ".create", spec.entity, id, {{"created", stored}}, "upsert", stored});
  });
  if (!st.ok()) return st;
  auto lease = s.reads.Acquire();
  const std::int64_t version = stored["version"].get<std::int64_t>();
  return Entity{Present(lease.db(), s, a, spec, std::move(stored)), version};
}

Result<Entity> PatchEntity(const Services& s, const Actor& a, const ResourceSpec& spec,
                           const std::string& id, std::int64_t if_match, const json& body) {
  if (Status p = WritePolicy(a); !p.ok()) return p;
  json changes = json::object();
  if (Status d = DecodeBody(a, spec, body, false, changes); !d.ok()) return d;
  json stored;
  Status st = s.writer.Run([&](store::WriteContext& ctx) -> Status {
    json before = LoadRow(ctx.db(), spec, id);
    if (before.is_null()) {
      return Status::Error(Code::kNotFound, "id",
                           "no " + spec.entity + " with id " + id.substr(0, 64));
    }
    if (before["version"].get<std::int64_t>() != if_match) {
      return Status::Error(Code::kPreconditionFailed, "If-Match",
                           "this " + spec.entity + " was changed by someone else (now version " +
                               std::to_string(before["version"].get<std::int64_t>()) +
                               "); reload it and make your change again");
    }
    json row = before;
    for (const auto& [k, v] : changes.items()) row[k] = v;
    // Required fields and references first: the cross-field rules may rely on both.
    if (Status r = CheckRequired(spec, row); !r.ok()) return r;
    if (Status r = CheckRefsExist(ctx.db(), spec, row); !r.ok()) return r;
    if (Status c = spec.check ? spec.check(ctx.db(), row, &before, s) : Status::Ok(); !c.ok()) {
      return c;
    }
    json diff = json::object();
    for (const auto& f : spec.fields) {
      if (row[f.name] != before[f.name])
        diff[f.name] = {{"from", before[f.name]}, {"to", row[f.name]}};
    }
    if (diff.empty()) {
      stored = before;  // nothing changed: no new version, no journal
      return Status::Ok();
    }
    std::string sets = "version = version + 1, updated_at = ?";
    for (const auto& f : spec.fields) sets += ", " + f.name + " = ?";
    store::Stmt& up =
        ctx.db().Prepare("UPDATE " + spec.table + " SET " + sets + " WHERE id = ? AND version = ?");
    up.Bind(1, ctx.now_text());
    BindRow(up, spec, row, 2);
    const int next = static_cast<int>(spec.fields.size()) + 2;
    up.Bind(next, id).Bind(next + 1, if_match);
    if (Status w = up.Run(); !w.ok()) return w;
    stored = LoadRow(ctx.db(), spec, id);
    std::vector<std::string> changed;
    for (const auto& [k, _] : diff.items()) changed.push_back(k);
    return Journal(
        ctx, a,
        {spec.entity + ".update", spec.entity, id, {{"changed", diff}}, "upsert", stored, changed});
  });
  if (!st.ok()) return st;
  auto lease = s.reads.Acquire();
  const std::int64_t version = stored["version"].get<std::int64_t>();
  return Entity{Present(lease.db(), s, a, spec, std::move(stored)), version};
}

}  // namespace upw::app
