#include "nn/hf_config.h"

#include <cmath>
#include <sstream>

#include "core/failure.h"

namespace fdl {
namespace {

[[noreturn]] void wrong_form(const std::string& key, const std::string& expected) {
  fail(FDL_ERR_INVALID_ARGUMENT, "config.json " + key + " must be " + expected);
}

}  // namespace

HfConfig& HfConfig::set(const std::string& key, Value value) {
  fields_[key] = std::move(value);
  return *this;
}

bool HfConfig::has(const std::string& key) const { return find(key) != nullptr; }

const HfConfig::Value* HfConfig::find(const std::string& key) const {
  auto it = fields_.find(key);
  return it == fields_.end() ? nullptr : &it->second;
}

int64_t HfConfig::integer(const std::string& key, int64_t fallback) const {
  const Value* v = find(key);
  if (!v) return fallback;
  const double* d = std::get_if<double>(v);
  if (!d || !std::isfinite(*d) || std::floor(*d) != *d || std::fabs(*d) > 9.0e15) wrong_form(key, "an integer");
  return static_cast<int64_t>(*d);
}

double HfConfig::number(const std::string& key, double fallback) const {
  const Value* v = find(key);
  if (!v) return fallback;
  const double* d = std::get_if<double>(v);
  if (!d || !std::isfinite(*d)) wrong_form(key, "a finite number");
  return *d;
}

bool HfConfig::flag(const std::string& key, bool fallback) const {
  const Value* v = find(key);
  if (!v) return fallback;
  const bool* b = std::get_if<bool>(v);
  if (!b) wrong_form(key, "true or false");
  return *b;
}

std::string HfConfig::text(const std::string& key, const std::string& fallback) const {
  const Value* v = find(key);
  if (!v) return fallback;
  const std::string* s = std::get_if<std::string>(v);
  if (!s) wrong_form(key, "a string");
  return *s;
}

std::vector<std::string> HfConfig::texts(const std::string& key, const std::vector<std::string>& fallback) const {
  const Value* v = find(key);
  if (!v) return fallback;
  if (const auto* list = std::get_if<std::vector<std::string>>(v)) return *list;
  const std::string* s = std::get_if<std::string>(v);
  if (!s) wrong_form(key, "a list of strings");
  std::vector<std::string> parts;
  std::stringstream in(*s);
  for (std::string part; std::getline(in, part, '|');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

std::string HfConfig::model_type() const {
  std::string type = text("model_type", "");
  require(!type.empty(), "config.json has no model_type (the Hugging Face architecture, e.g. \"bert\", \"roberta\")");
  return type;
}

}  // namespace fdl
