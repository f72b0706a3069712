# bigpe_embed_templates(TARGET DIR [PATTERN GLOB] [FUNCTION NAME] [KEEP_EXTENSION]):
# compiles every DIR/GLOB (default *.txt) into TARGET as a string table
# (bigpe::detail::NAME(), default embedded_templates), keyed by file name
# without its extension (with it under KEEP_EXTENSION), so the program needs
# no source tree at run time. Editing a file re-runs CMake.
function(bigpe_embed_templates target dir)
  cmake_parse_arguments(arg "KEEP_EXTENSION" "PATTERN;FUNCTION" "" ${ARGN})
  if(NOT arg_PATTERN)
    set(arg_PATTERN "*.txt")
  endif()
  if(NOT arg_FUNCTION)
    set(arg_FUNCTION embedded_templates)
  endif()
  file(GLOB templates CONFIGURE_DEPENDS ${dir}/${arg_PATTERN})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${templates})
  set(delim "bigpe_tpl")
  set(entries "")
  foreach(path IN LISTS templates)
    if(arg_KEEP_EXTENSION)
      get_filename_component(name ${path} NAME)
    else()
      get_filename_component(name ${path} NAME_WE)
    endif()
    file(READ ${path} body)
    string(FIND "${body}" ")${delim}\"" clash)
    if(NOT clash EQUAL -1)
      message(FATAL_ERROR "${path}: contains the raw-string delimiter )${delim}\"")
    endif()
    string(APPEND entries "      {\"${name}\", R\"${delim}(${body})${delim}\"},\n")
  endforeach()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_${arg_FUNCTION}.cpp)
  file(WRITE ${out}.tmp
    "// Generated from ${dir}/${arg_PATTERN} by embed_templates.cmake. Do not edit.\n"
    "#include <map>\n#include <string>\n\n"
    "namespace bigpe::detail {\n\n"
    "const std::map<std::string, std::string>& ${arg_FUNCTION}() {\n"
    "  static const std::map<std::string, std::string> kTemplates = {\n"
    "${entries}"
    "  };\n  return kTemplates;\n}\n\n}  // namespace bigpe::detail\n")
  # configure_file rewrites only on change, so builds stay incremental.
  configure_file(${out}.tmp ${out} COPYONLY)
  target_sources(${target} PRIVATE ${out})
endfunction()
