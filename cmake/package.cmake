# What `find_package(aegraph)` gives an outside project, from the build tree or an
# install: the libraries as aegraph::engine, aegraph::io, aegraph::zoo, and the
# public headers as <aegraph/engine/executor.hpp>, <aegraph/io/dataset.hpp>, ...
#
# Only the headers a folder names with aegraph_public_headers() are installed;
# every other header (kernels, the GEMM wrapper, parallel loops, HDF5 helpers)
# stays private. Public headers include each other as "engine/graph.hpp", the
# in-tree spelling, so the installed tree puts include/aegraph on the path too.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(AEGRAPH_FORWARD_DIR "${CMAKE_BINARY_DIR}/include")
set(AEGRAPH_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/aegraph")

# aegraph_public_headers(<folder> <header>...): installs each header under
# include/aegraph/<folder>/ and writes, in the build tree, a forwarding header of
# the same name, so the build tree's export takes the same #include lines.
function(aegraph_public_headers folder)
  foreach(h ${ARGN})
    if(IS_ABSOLUTE "${h}")
      set(src "${h}")
    else()
      set(src "${CMAKE_CURRENT_SOURCE_DIR}/${h}")
    endif()
    if(NOT EXISTS "${src}")
      message(FATAL_ERROR "aegraph_public_headers: ${src} does not exist")
    endif()
    get_filename_component(name "${h}" NAME)
    file(CONFIGURE OUTPUT "${AEGRAPH_FORWARD_DIR}/aegraph/${folder}/${name}"
         CONTENT "// Generated: the build tree's <aegraph/${folder}/${name}>.\n#pragma once\n#include \"${src}\"\n")
    install(FILES "${src}" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/aegraph/${folder}")
  endforeach()
endfunction()

# aegraph_package_library(<target> <name>): <target> is aegraph::<name> in the
# tree and in the package, with the include paths of both.
function(aegraph_package_library target name)
  add_library(aegraph::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(${target} PUBLIC
    "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR};${CMAKE_BINARY_DIR}/generated;${AEGRAPH_FORWARD_DIR}>"
    "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR};${CMAKE_INSTALL_INCLUDEDIR}/aegraph>")
  set_property(GLOBAL APPEND PROPERTY AEGRAPH_PACKAGE_TARGETS ${target})
endfunction()

# After every library is declared: the export sets and the config files, for the
# install (cmake --install build --prefix P) and for the build tree (aegraph_DIR=build).
function(aegraph_install_package)
  get_property(targets GLOBAL PROPERTY AEGRAPH_PACKAGE_TARGETS)
  install(TARGETS ${targets} EXPORT aegraphTargets
          ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
          LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
  install(EXPORT aegraphTargets NAMESPACE aegraph:: DESTINATION "${AEGRAPH_CMAKE_DIR}")
  export(EXPORT aegraphTargets NAMESPACE aegraph:: FILE "${CMAKE_BINARY_DIR}/aegraphTargets.cmake")

  configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/aegraphConfig.cmake.in"
    "${CMAKE_BINARY_DIR}/package/aegraphConfig.cmake" INSTALL_DESTINATION "${AEGRAPH_CMAKE_DIR}")
  configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/aegraphConfig.cmake.in"
    "${CMAKE_BINARY_DIR}/aegraphConfig.cmake" INSTALL_DESTINATION "${CMAKE_BINARY_DIR}"
    INSTALL_PREFIX "${CMAKE_BINARY_DIR}")
  # 0.x: a new minor version may change the API.
  write_basic_package_version_file("${CMAKE_BINARY_DIR}/aegraphConfigVersion.cmake"
    COMPATIBILITY SameMinorVersion)
  install(FILES "${CMAKE_BINARY_DIR}/package/aegraphConfig.cmake" "${CMAKE_BINARY_DIR}/aegraphConfigVersion.cmake"
          DESTINATION "${AEGRAPH_CMAKE_DIR}")
endfunction()
