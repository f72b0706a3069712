# bigpe_embed_templates(TARGET DIR): compiles every DIR/*.txt into TARGET as
# a string table (bigpe::detail::embedded_templates()), so the program needs
# no source tree at run time. Editing a template re-runs CMake.
function(bigpe_embed_templates target dir)
  file(GLOB templates CONFIGURE_DEPENDS ${dir}/*.txt)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${templates})
  set(delim "bigpe_tpl")
  set(entries "")
  foreach(path IN LISTS templates)
    get_filename_component(name ${path} NAME_WE)
    file(READ ${path} body)
    string(FIND "${body}" ")${delim}\"" clash)
    if(NOT clash EQUAL -1)
      message(FATAL_ERROR "${path}: contains the raw-string delimiter )${delim}\"")
    endif()
    string(APPEND entries "      {\"${name}\", R\"${delim}(${body})${delim}\"},\n")
  endforeach()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_templates.cpp)
  file(WRITE ${out}.tmp
    "// Generated from ${dir}/*.txt by embed_templates.cmake. Do not edit.\n"
    "#include <map>\n#include <string>\n\n"
    "namespace bigpe::detail {\n\n"
    "const std::map<std::string, std::string>& embedded_templates() {\n"
    "  static const std::map<std::string, std::string> kTemplates = {\n"
    "${entries}"
    "  };\n  return kTemplates;\n}\n\n}  // namespace bigpe::detail\n")
  # configure_file rewrites only on change, so builds stay incremental.
  configure_file(${out}.tmp ${out} COPYONLY)
  target_sources(${target} PRIVATE ${out})
endfunction()
