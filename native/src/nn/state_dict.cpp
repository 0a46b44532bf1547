#include "nn/state_dict.h"

#include <map>
#include <set>
#include <sstream>

#include "core/failure.h"

namespace fdl {

namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

bool has_prefix(const std::string& key, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes)
    if (!p.empty() && starts_with(key, p)) return true;
  return false;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string sizes_of(const at::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}

// "HINT: ..." when the unexpected keys are the module's keys under a prefix (a task model's
// checkpoint, "bert.embeddings..."), else "".
std::string prefix_hint(const std::vector<std::string>& unexpected, const std::map<std::string, at::Tensor>& targets) {
  for (const auto& key : unexpected) {
    for (size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', dot + 1)) {
      if (targets.count(key.substr(dot + 1)) > 0) {
        return "\nHINT: checkpoint keys look prefixed with '" + key.substr(0, dot + 1) +
               "' (a task model's checkpoint); strip that prefix before loading";
      }
    }
  }
  return "";
}

}  // namespace

LoadReport load_state_strict(torch::nn::Module& module, const NamedTensors& state, const StrictLoadOptions& options) {
  std::map<std::string, at::Tensor> targets;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) targets[item.key()] = item.value();
  for (const auto& item : module.named_buffers(/*recurse=*/true)) targets[item.key()] = item.value();

  LoadReport report;
  std::vector<std::string> missing, unexpected, mismatched, duplicated;
  std::set<std::string> seen;
  for (const auto& [name, tensor] : state) {
    if (!seen.insert(name).second) {
      duplicated.push_back(name);
      continue;
    }
    auto target = targets.find(name);
    if (target == targets.end()) {
      bool ignored = false;
      for (const auto& skip : options.ignore_unexpected) ignored = ignored || skip == name;
      (ignored ? report.ignored : unexpected).push_back(name);
      continue;
    }
    if (!tensor.defined()) {
      mismatched.push_back(name + ": checkpoint tensor is undefined");
    } else if (tensor.sizes() != target->second.sizes()) {
      mismatched.push_back(name + ": checkpoint " + sizes_of(tensor) + " vs model " + sizes_of(target->second));
    } else if (target->second.is_floating_point() && !tensor.is_floating_point()) {
      mismatched.push_back(name + ": checkpoint dtype " + std::string(c10::toString(tensor.scalar_type())) +
                           " is not floating point like the model's " +
                           std::string(c10::toString(target->second.scalar_type())));
    }
  }
  for (const auto& [name, tensor] : targets) {
    if (seen.count(name) > 0) continue;
    (has_prefix(name, options.allow_missing_prefixes) ? report.left_at_initialisation : missing).push_back(name);
  }

  if (!missing.empty() || !unexpected.empty() || !mismatched.empty() || !duplicated.empty()) {
    std::ostringstream out;
    out << "strict state loading failed: " << missing.size() << " missing, " << unexpected.size() << " unexpected, "
        << mismatched.size() << " mismatched, " << duplicated.size() << " duplicated key(s)";
    if (!missing.empty()) out << "\nmissing keys: " << join(missing);
    if (!unexpected.empty()) out << "\nunexpected keys: " << join(unexpected);
    if (!mismatched.empty()) out << "\nmismatched: " << join(mismatched);
    if (!duplicated.empty()) out << "\nduplicated keys: " << join(duplicated);
    if (!missing.empty() && !options.allow_missing_prefixes.empty())
      out << "\n(allowed to be missing: keys starting with " << join(options.allow_missing_prefixes) << ")";
    out << prefix_hint(unexpected, targets);
    fail(FDL_ERR_INVALID_ARGUMENT, out.str());
  }

  at::NoGradGuard no_grad;
  for (const auto& [name, tensor] : state) {
    auto target = targets.find(name);
    if (target == targets.end()) continue;  // ignored
    target->second.copy_(tensor);
    report.loaded.push_back(name);
  }
  return report;
}

}  // namespace fdl
