# Turns the tablet UI's templates and static assets into a C++ table compiled into the binary, so
# the device serves every page and asset itself, offline (cmake -P).
# Inputs: OUTPUT, and FILES: a list of name=path pairs separated by '|'.
string(REPLACE "|" ";" pairs "${FILES}")
set(body "")
foreach(pair IN LISTS pairs)
  string(FIND "${pair}" "=" eq)
  string(SUBSTRING "${pair}" 0 ${eq} name)
  math(EXPR start "${eq} + 1")
  string(SUBSTRING "${pair}" ${start} -1 path)
  file(READ "${path}" hex HEX)
  # Bytes as a string of \x escapes split into short literals: exact, whatever the file holds.
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
  string(REGEX REPLACE "((\\\\x[0-9a-f][0-9a-f]){64})" "\\1\"\n\"" escaped "${escaped}")
  file(SIZE "${path}" size)
  string(APPEND body "    {\"${name}\", std::string_view(\n\"${escaped}\", ${size})},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from web/ by embed_web.cmake. Do not edit.\n#include \"ui/embedded.h\"\n\nnamespace upw::ui {\n\nconst std::vector<EmbeddedFile>& EmbeddedWebFiles() {\n  static const std::vector<EmbeddedFile> kFiles = {\n${body}  };\n  return kFiles;\n}\n\n}  // namespace upw::ui\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
