# Finds LibTorch 2.x and says which one it used. The first of these that holds LibTorch >= 2.4 wins:
#   1. FIDELIO_LIBTORCH (a libtorch folder, or a torch package folder) or Torch_DIR, from the CMake
#      command line or the environment;
#   2. a Python torch, as `pip install torch` leaves it (torch.utils.cmake_prefix_path; CUDA wheels too),
#      asked of $FIDELIO_PYTHON, python3 on PATH, then /usr/bin/python3;
#   3. a torch wheel file on disk: $FIDELIO_TORCH_WHEEL, else the newest CPU wheel (`+cpu`) for
#      this machine in $FIDELIO_WHEEL_DIRS (default /opt/wheels, ~/wheels, ~/Downloads); it is
#      unpacked into build/libtorch/<sha256 of the wheel>/ (content-addressed, never into the system).
# Debian 12's libtorch-dev (1.13) is not used: Fidelio needs LibTorch 2.x (SDPA, fused AdamW, the
# device-generic autocast API), one code path for the CPU and GPU builds.
# Sets FIDELIO_LIBTORCH_SOURCE (which rule found it, and where) for --version and check_install.

set(FIDELIO_MIN_TORCH_VERSION 2.4)

# Torch_DIR for a folder that is a libtorch root, a torch package, or a cmake prefix.
function(fidelio_torch_dir_of folder out)
  foreach(candidate "${folder}/share/cmake/Torch" "${folder}/torch/share/cmake/Torch" "${folder}/Torch" "${folder}")
    if(EXISTS "${candidate}/TorchConfig.cmake")
      set(${out} "${candidate}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out} "" PARENT_SCOPE)
endfunction()

# The version in a Torch_DIR's TorchConfigVersion.cmake, without loading the package.
function(fidelio_torch_version torch_dir out)
  set(version "")
  if(EXISTS "${torch_dir}/TorchConfigVersion.cmake")
    file(STRINGS "${torch_dir}/TorchConfigVersion.cmake" line REGEX "PACKAGE_VERSION \"[0-9.]+")
    string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" version "${line}")
  endif()
  set(${out} "${version}" PARENT_SCOPE)
endfunction()

# Accepts torch_dir when it holds LibTorch >= the minimum; otherwise records why not.
macro(fidelio_try_torch_dir torch_dir source)
  if(NOT FIDELIO_TORCH_DIR AND NOT "${torch_dir}" STREQUAL "")
    fidelio_torch_version("${torch_dir}" _fidelio_version)
    if(_fidelio_version VERSION_GREATER_EQUAL FIDELIO_MIN_TORCH_VERSION)
      set(FIDELIO_TORCH_DIR "${torch_dir}")
      set(FIDELIO_LIBTORCH_SOURCE "${source}: ${torch_dir}")
    else()
      list(APPEND FIDELIO_TORCH_REJECTED "${source} (${torch_dir}) is LibTorch '${_fidelio_version}', not >= ${FIDELIO_MIN_TORCH_VERSION}")
    endif()
  endif()
endmacro()

# 1. Named by the user.
foreach(name FIDELIO_LIBTORCH Torch_DIR)
  set(folder "${${name}}")
  if(NOT folder AND DEFINED ENV{${name}})
    set(folder "$ENV{${name}}")
  endif()
  # A Torch_DIR this module found on an earlier run is not the user's choice: resolve again.
  if(folder AND NOT "${folder}" STREQUAL "${FIDELIO_RESOLVED_TORCH_DIR}")
    fidelio_torch_dir_of("${folder}" dir)
    if(NOT dir)
      message(FATAL_ERROR "${name}=${folder} holds no TorchConfig.cmake (expected a libtorch folder, a torch package "
                          "folder or its share/cmake/Torch)")
    endif()
    fidelio_try_torch_dir("${dir}" "${name}")
    if(NOT FIDELIO_TORCH_DIR)
      message(FATAL_ERROR "${name}=${folder}: ${FIDELIO_TORCH_REJECTED}")
    endif()
  endif()
endforeach()

# 2. A Python torch.
if(NOT FIDELIO_TORCH_DIR)
  set(pythons "$ENV{FIDELIO_PYTHON}")
  find_program(FIDELIO_PATH_PYTHON python3)
  list(APPEND pythons "${FIDELIO_PATH_PYTHON}" /usr/bin/python3)
  list(REMOVE_DUPLICATES pythons)
  foreach(python ${pythons})
    if(EXISTS "${python}" AND NOT FIDELIO_TORCH_DIR)
      execute_process(COMMAND "${python}" -c "import torch.utils; print(torch.utils.cmake_prefix_path)"
                      OUTPUT_VARIABLE prefix OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE failed)
      if(NOT failed AND prefix)
        fidelio_torch_dir_of("${prefix}" dir)
        fidelio_try_torch_dir("${dir}" "Python torch of ${python}")
      endif()
    endif()
  endforeach()
endif()

# 3. A wheel on disk, unpacked once per distinct file.
if(NOT FIDELIO_TORCH_DIR)
  set(wheel "$ENV{FIDELIO_TORCH_WHEEL}")
  if(NOT wheel)
    set(wheel_dirs "$ENV{FIDELIO_WHEEL_DIRS}")
    if(NOT wheel_dirs)
      set(wheel_dirs "/opt/wheels;$ENV{HOME}/wheels;$ENV{HOME}/Downloads")
    endif()
    string(REPLACE ":" ";" wheel_dirs "${wheel_dirs}")
    set(wheels "")
    # The newest version wins; the first folder wins a tie.
    set(best_version "0")
    foreach(folder ${wheel_dirs})
      file(GLOB found "${folder}/torch-2.*+cpu-*linux*_x86_64.whl")
      foreach(path ${found})
        get_filename_component(name "${path}" NAME)
        string(REGEX MATCH "^torch-([0-9.]+)" _ "${name}")
        if(CMAKE_MATCH_1 VERSION_GREATER best_version)
          set(best_version "${CMAKE_MATCH_1}")
          set(wheel "${path}")
        endif()
      endforeach()
    endforeach()
  endif()
  if(wheel)
    if(NOT EXISTS "${wheel}")
      message(FATAL_ERROR "FIDELIO_TORCH_WHEEL=${wheel}: no such file")
    endif()
    file(SHA256 "${wheel}" digest)
    string(SUBSTRING "${digest}" 0 16 digest)
    set(unpacked "${CMAKE_SOURCE_DIR}/build/libtorch/${digest}")
    if(NOT EXISTS "${unpacked}/.complete")
      message(STATUS "Fidelio: unpacking LibTorch from ${wheel} into ${unpacked}")
      file(REMOVE_RECURSE "${unpacked}.partial")
      file(ARCHIVE_EXTRACT INPUT "${wheel}" DESTINATION "${unpacked}.partial"
           PATTERNS "torch/include/*" "torch/lib/*" "torch/share/cmake/*" "torch/version.py")
      file(REMOVE_RECURSE "${unpacked}")
      file(RENAME "${unpacked}.partial" "${unpacked}")
      file(WRITE "${unpacked}/.complete" "${wheel}\n")
    endif()
    fidelio_try_torch_dir("${unpacked}/torch/share/cmake/Torch" "wheel ${wheel}")
  endif()
endif()

if(NOT FIDELIO_TORCH_DIR)
  string(REPLACE ";" "\n  " rejected "${FIDELIO_TORCH_REJECTED}")
  message(FATAL_ERROR
    "Fidelio needs LibTorch >= ${FIDELIO_MIN_TORCH_VERSION} and found none. Any one of these is enough:\n"
    "  - FIDELIO_LIBTORCH=/path/to/libtorch (unzipped from pytorch.org, CPU or CUDA), or Torch_DIR;\n"
    "  - pip install torch (for python3 on PATH, or name the interpreter with FIDELIO_PYTHON);\n"
    "  - a torch wheel file: FIDELIO_TORCH_WHEEL=/path/to/torch-2.x+cpu-...whl, or put one in /opt/wheels.\n"
    "Rejected:\n  ${rejected}")
endif()

set(Torch_DIR "${FIDELIO_TORCH_DIR}" CACHE PATH "LibTorch's cmake folder" FORCE)
set(FIDELIO_RESOLVED_TORCH_DIR "${FIDELIO_TORCH_DIR}" CACHE INTERNAL "the Torch_DIR FidelioLibTorch.cmake chose")
set(FIDELIO_LIBTORCH_SOURCE "${FIDELIO_LIBTORCH_SOURCE}" CACHE INTERNAL "which rule found LibTorch, and where")
# TorchConfig finds its Caffe2 package and its libraries with find_package/find_library(... PATHS
# <its own folder>), which search the system first: with Debian's libtorch-dev installed they would
# take /usr/lib's 1.13. Look in LibTorch's own folder only, and forget what an earlier configure
# found elsewhere.
get_filename_component(torch_root "${FIDELIO_TORCH_DIR}/../../.." ABSOLUTE)
foreach(cached Caffe2_DIR TORCH_LIBRARY c10_LIBRARY kineto_LIBRARY C10_CUDA_LIBRARY CAFFE2_NVRTC_LIBRARY)
  if(${cached} AND NOT "${${cached}}" MATCHES "^${torch_root}/")
    unset(${cached} CACHE)
  endif()
endforeach()
set(Caffe2_DIR "${torch_root}/share/cmake/Caffe2" CACHE PATH "LibTorch's Caffe2 cmake folder" FORCE)
set(CMAKE_FIND_USE_CMAKE_SYSTEM_PATH FALSE)
set(CMAKE_FIND_USE_SYSTEM_ENVIRONMENT_PATH FALSE)
find_package(Torch REQUIRED NO_DEFAULT_PATH PATHS "${FIDELIO_TORCH_DIR}")
unset(CMAKE_FIND_USE_CMAKE_SYSTEM_PATH)
unset(CMAKE_FIND_USE_SYSTEM_ENVIRONMENT_PATH)
get_target_property(torch_cpu_location torch_cpu IMPORTED_LOCATION_RELEASE)
foreach(library "${TORCH_LIBRARY}" "${torch_cpu_location}")
  if(NOT library MATCHES "^${torch_root}/")
    message(FATAL_ERROR "LibTorch's library ${library} is not inside ${torch_root}: another LibTorch got mixed in")
  endif()
endforeach()
message(STATUS "Fidelio: LibTorch ${Torch_VERSION} from ${FIDELIO_LIBTORCH_SOURCE}")
