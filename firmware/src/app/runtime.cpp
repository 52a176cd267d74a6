#include "app/runtime.h"

#include "common/ids.h"
#include "store/migrations.h"

namespace upw::app {

Result<std::unique_ptr<Runtime>> Runtime::Open(const std::string& path, int readers) {
  auto rt = std::make_unique<Runtime>();
  rt->path = path;
  auto db = store::Db::Open(path, store::OpenOptions{});
  if (!db.ok()) return db.status();
  auto report = store::Migrate(**db, NewUuidV7(rt->clock.NowMs()));
  if (!report.ok()) return report.status();
  rt->migrated_from = report->from_version;
  rt->schema_version = report->to_version;
  auto writer = store::Writer::Start(std::move(db).value(), rt->clock);
  if (!writer.ok()) return writer.status();
  rt->writer = std::move(writer).value();
  auto reads = store::ReadPool::Open(path, readers);
  if (!reads.ok()) return reads.status();
  rt->reads = std::move(reads).value();
  rt->services.reset(new Services{*rt->writer, *rt->reads, rt->clock, rt->profile});
  rt->auth = std::make_unique<Auth>(*rt->services);
  return rt;
}

bool Runtime::IsEmpty() {
  auto lease = reads->Acquire();
  store::Stmt& st = lease->Prepare(
      "SELECT (SELECT count(*) FROM placement) + (SELECT count(*) FROM service_user)");
  return st.Step() && st.Int(0) == 0;
}

void Runtime::Close() {
  if (writer) writer->Stop();
}

}  // namespace upw::app
