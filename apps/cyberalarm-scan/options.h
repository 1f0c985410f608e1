// Command-line options of cyberalarm-scan and the exit codes it documents.
#pragma once

#include <string>

#include "scan/scanner.h"

namespace cyberalarm::scan::app {

// Exit codes (also in --help and docs/design/scanner.md).
enum Exit : int {
    kExitOk = 0,            // scan finished; no finding at or above --fail-on
    kExitFindings = 1,      // scan finished; a finding at or above --fail-on
    kExitUsage = 2,         // bad command line
    kExitRefused = 3,       // a target is not a verified asset (or not loopback)
    kExitOutsideWindow = 4, // outside the scan window
    kExitError = 5,         // probe file, vulnerability database, store or network failure
};

struct CommandLine {
    std::string targets;
    std::string ports;
    bool json = false;
    bool allow_loopback = false;
    std::string data_dir;
    long long member = 0;
    std::string probes;
    std::string vulndb;   // JSON Lines database file
    std::string cve_dir;  // import CVE 5 / NVD JSON records from here at start
    std::string import_out;  // import mode: write the database here and exit
    std::string fail_on;     // severity name
    std::string window;
    bool udp = false;
    bool discovery_only = false;
    bool no_checks = false;
    ScanOptions scan;
};

}  // namespace cyberalarm::scan::app
