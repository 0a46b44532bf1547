// The fdl_process_group and fdl_data_parallel handles. A data-parallel object shares its process
// group, and an ECD model it is attached to shares it in turn: freeing handles in any order is safe.
#pragma once

#include <memory>

#include "distributed/data_parallel.h"

struct fdl_process_group {
  std::shared_ptr<fdl::ProcessGroup> group;
};

struct fdl_data_parallel {
  std::shared_ptr<fdl::DataParallel> sync;
};
