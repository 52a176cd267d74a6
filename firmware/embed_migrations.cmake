# Turns migrations/NNNN_name.sql into a C++ table compiled into the binary (cmake -P).
# Inputs: MIGRATIONS_DIR, OUTPUT.
file(GLOB files RELATIVE "${MIGRATIONS_DIR}" "${MIGRATIONS_DIR}/[0-9][0-9][0-9][0-9]_*.sql")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  string(SUBSTRING "${f}" 0 4 num)
  math(EXPR version "${num}")
  file(READ "${MIGRATIONS_DIR}/${f}" sql)
  string(APPEND body "    {${version}, \"${f}\", R\"upwsql(${sql})upwsql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from firmware/migrations by embed_migrations.cmake. Do not edit.\n#include \"store/migrations.h\"\n\nnamespace upw::store {\n\nconst std::vector<Migration>& EmbeddedMigrations() {\n  static const std::vector<Migration> kMigrations = {\n${body}  };\n  return kMigrations;\n}\n\n}  // namespace upw::store\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
