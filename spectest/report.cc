// The --json report: per file and per command kind, plus every failure.
#include <cstdio>
#include <ostream>

#include "spectest/harness.h"

namespace wasmrt::spectest {

namespace {

// JSON string escaping. Bytes >= 0x80 are escaped one by one (as U+0080..
// U+00FF) so the report stays valid JSON even when a message quotes
// malformed UTF-8 from a test.
void write_string(std::ostream& out, std::string_view text) {
  out << '"';
  for (char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out << "\\\""; break;
      case '\\': out << "\\\\"; break;
      case '\n': out << "\\n"; break;
      case '\t': out << "\\t"; break;
      case '\r': out << "\\r"; break;
      default:
        if (byte < 0x20 || byte >= 0x7F) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
          out << escaped;
        } else {
          out << ch;
        }
    }
  }
  out << '"';
}

void write_counts(std::ostream& out, const Counts& counts) {
  out << "{\"passed\": " << counts.passed << ", \"failed\": " << counts.failed
      << ", \"skipped\": " << counts.skipped << "}";
}

void write_kinds(std::ostream& out, const std::array<Counts, kNumCommandKinds>& kinds, const char* indent) {
  out << "{";
  for (size_t i = 0; i < kNumCommandKinds; ++i) {
    out << (i == 0 ? "\n" : ",\n") << indent << "  ";
    write_string(out, command_kind_name(static_cast<CommandKind>(i)));
    out << ": ";
    write_counts(out, kinds[i]);
  }
  out << "\n" << indent << "}";
}

}  // namespace

void write_json_report(std::ostream& out, std::string_view engine_name, const std::vector<FileReport>& reports) {
  std::array<Counts, kNumCommandKinds> totals{};
  Counts grand;
  for (const FileReport& report : reports) {
    for (size_t i = 0; i < kNumCommandKinds; ++i) totals[i] += report.kinds[i];
    grand += report.total();
  }
  out << "{\n  \"engine\": ";
  write_string(out, engine_name);
  out << ",\n  \"total\": ";
  write_counts(out, grand);
  out << ",\n  \"kinds\": ";
  write_kinds(out, totals, "  ");
  out << ",\n  \"files\": [";
  for (size_t f = 0; f < reports.size(); ++f) {
    const FileReport& report = reports[f];
    out << (f == 0 ? "\n" : ",\n") << "    {\n      \"file\": ";
    write_string(out, report.path);
    out << ",\n      \"script_error\": " << (report.script_error ? "true" : "false");
    out << ",\n      \"total\": ";
    write_counts(out, report.total());
    out << ",\n      \"kinds\": ";
    write_kinds(out, report.kinds, "      ");
    out << ",\n      \"failures\": [";
    for (size_t i = 0; i < report.failures.size(); ++i) {
      const Failure& failure = report.failures[i];
      out << (i == 0 ? "\n" : ",\n") << "        {\"line\": " << failure.line << ", \"kind\": ";
      write_string(out, command_kind_name(failure.kind));
      out << ", \"expected\": ";
      write_string(out, failure.expected);
      out << ", \"actual\": ";
      write_string(out, failure.actual);
      out << ", \"message\": ";
      write_string(out, failure.actual_message);
      out << "}";
    }
    out << (report.failures.empty() ? "]" : "\n      ]") << "\n    }";
  }
  out << (reports.empty() ? "]" : "\n  ]") << "\n}\n";
}

}  // namespace wasmrt::spectest
