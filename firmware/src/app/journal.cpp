#include "app/journal.h"

namespace upw::app {

Status AuditOnly(store::WriteContext& ctx, const Actor& actor, const std::string& action,
                 const std::string& entity, const std::string& entity_id,
                 const nlohmann::json& detail) {
  return ctx.db()
      .Prepare(
          "INSERT INTO audit(at, user_id, username, role, device_id, action, entity, entity_id, "
          "detail) VALUES (?,?,?,?,?,?,?,?,?)")
      .Bind(1, ctx.now_text())
      .Bind(2, actor.user_id)
      .Bind(3, actor.username)
      .Bind(4, ToString(actor.role))
      .Bind(5, ctx.device_id())
      .Bind(6, action)
      .Bind(7, entity)
      .Bind(8, entity_id)
      .Bind(9, detail.is_null() ? std::string("{}") : detail.dump())
      .Run();
}

Status Journal(store::WriteContext& ctx, const Actor& actor, const JournalEntry& e) {
  if (Status s = AuditOnly(ctx, actor, e.action, e.entity, e.entity_id, e.detail); !s.ok()) {
    return s;
  }
  return ctx.db()
      .Prepare(
          "INSERT INTO outbox(op_id, entity, entity_id, op, payload, hlc, created_at, fields) "
          "VALUES (?,?,?,?,?,?,?,?)")
      .Bind(1, ctx.NewId())
      .Bind(2, e.entity)
      .Bind(3, e.entity_id)
      .Bind(4, e.op)
      .Bind(5, e.payload.dump())
      .Bind(6, ctx.NextHlc())
      .Bind(7, ctx.now_text())
      .BindJson(8, e.fields.empty() ? nlohmann::json(nullptr)
                                    : nlohmann::json(nlohmann::json(e.fields).dump()))
      .Run();
}

}  // namespace upw::app
