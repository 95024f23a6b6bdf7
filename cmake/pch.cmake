# Precompiled headers: CLI11, cppzmq and (for the tests) Catch2 cost seconds per
# translation unit to parse; each is parsed once, into one header that every
# target reuses (REUSE_FROM: a single PCH compile, not one per target).
#   bb_pch_owner(target [headers...])   target compiles the shared PCH (plus headers)
#   bb_share_pch(owner dir)             every C++ target defined under dir reuses it
# Sharing is sound because every target builds with the same flags (bb_flags;
# the tests, all -O0, share their own)
# and no source defines a macro before its first #include (support/main.cpp,
# which does, is left out). httplib.h is not in it: one file includes it.
# ccache: PCH needs sloppiness pch_defines,time_macros; given CMAKE_CXX_COMPILER_LAUNCHER
# = ccache, it is set here for this build's compiles.
option(BB_PCH "Precompiled headers shared by every target" ON)

set(BB_PCH_HEADERS <zmq.hpp> <zmq_addon.hpp> <CLI/CLI.hpp>
    <algorithm> <array> <atomic> <chrono> <cstdint> <filesystem> <functional> <map> <mutex>
    <optional> <string> <string_view> <thread> <vector>)

if(BB_PCH AND CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache")
  set(CMAKE_CXX_COMPILER_LAUNCHER env CCACHE_SLOPPINESS=pch_defines,time_macros
      ${CMAKE_CXX_COMPILER_LAUNCHER})
endif()

function(bb_pch_owner target)
  if(BB_PCH)
    target_precompile_headers(${target} PRIVATE ${BB_PCH_HEADERS} ${ARGN})
  endif()
endfunction()

function(bb_share_pch owner dir)
  if(NOT BB_PCH)
    return()
  endif()
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS targets)
    get_target_property(type ${t} TYPE)
    get_target_property(own ${t} PRECOMPILE_HEADERS)
    get_target_property(reused ${t} PRECOMPILE_HEADERS_REUSE_FROM)
    if(NOT t STREQUAL owner AND type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|OBJECT_LIBRARY)$" AND NOT own AND NOT reused)
      target_precompile_headers(${t} REUSE_FROM ${owner})
    endif()
  endforeach()
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    bb_share_pch(${owner} "${sub}")
  endforeach()
endfunction()

# Unity builds: each test program, each role library and common compile as one
# translation unit each. What makes it pay is CLI11 (2.1 on Debian 12): every
# file that includes <CLI/CLI.hpp> compiles its validators, formatter and config
# parser, about 7 s of code generation at -O2 -g whether it uses them or not, and
# every example's header includes it (for add_options). One translation unit per
# library pays that once: common 81 s -> 14 s of CPU, chat_roles 74 s -> 19 s,
# the whole build from scratch 868 s -> 599 s of CPU (2 cores, 2026-12-04).
# BB_UNITY=OFF compiles file by file (what an IDE or clangd sees either way).
# Files of one target share a translation unit, so two of them cannot both
# define a name in an anonymous namespace.
option(BB_UNITY "Compile each test program, role library and common as one translation unit" ON)
# cmake/tsan_zmq.cpp, which every target of a tsan build compiles, stays a file
# of its own: in a library's archive it is then a member no program pulls in
# (each has its own copy), rather than part of the library's one object.
function(bb_unity)
  if(BB_UNITY)
    set_target_properties(${ARGN} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
    foreach(t IN LISTS ARGN)
      set_source_files_properties("${PROJECT_SOURCE_DIR}/cmake/tsan_zmq.cpp" TARGET_DIRECTORY ${t}
                                  PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
    endforeach()
  endif()
endfunction()
