# bb_flags: what every target of this project builds with (C++20, warnings,
# sanitizers). Link it PRIVATE; common links it PUBLIC so examples inherit it.
add_library(bb_flags INTERFACE)
target_compile_features(bb_flags INTERFACE cxx_std_20)
target_compile_options(bb_flags INTERFACE -Wall -Wextra -Wpedantic)
if(BB_WARNINGS_AS_ERRORS)
  target_compile_options(bb_flags INTERFACE -Werror)
endif()

if(BB_SANITIZE)
  list(JOIN BB_SANITIZE "," _bb_sanitizers)
  target_compile_options(bb_flags INTERFACE -fsanitize=${_bb_sanitizers} -fno-omit-frame-pointer)
  target_link_options(bb_flags INTERFACE -fsanitize=${_bb_sanitizers})
  if("thread" IN_LIST BB_SANITIZE)
    # Tell TSan about the hand-off of messages inside libzmq (see the file).
    target_sources(bb_flags INTERFACE "${CMAKE_CURRENT_LIST_DIR}/tsan_zmq.cpp")
    target_link_libraries(bb_flags INTERFACE ${CMAKE_DL_LIBS})
  endif()
  if("undefined" IN_LIST BB_SANITIZE)
    target_compile_options(bb_flags INTERFACE -fno-sanitize-recover=undefined)
  endif()
endif()

# bb_add_program(name sources... LIBS libs...): one of the talk's executables.
function(bb_add_program name)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} bb_flags)
endfunction()
