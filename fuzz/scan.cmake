# Scanner fuzz targets (sources in fuzz/scan/): every decoder of untrusted bytes.
ca_fuzzer(fuzz_scan_probes scan/probes_fuzzer.cpp scan_probes)
ca_fuzzer(fuzz_scan_banner scan/banner_fuzzer.cpp scan_banner
          DEFINES CA_FUZZ_PROBES="${PROJECT_SOURCE_DIR}/data/scan/probes.yaml")
ca_fuzzer(fuzz_scan_http scan/http_fuzzer.cpp scan_http)
ca_fuzzer(fuzz_scan_udp scan/udp_fuzzer.cpp scan_udp)
ca_fuzzer(fuzz_scan_vulndb scan/vulndb_fuzzer.cpp scan_vulndb)
ca_fuzzer(fuzz_scan_syn_reply scan/syn_reply_fuzzer.cpp scan_syn_reply)
foreach(t fuzz_scan_probes fuzz_scan_banner fuzz_scan_http fuzz_scan_udp fuzz_scan_vulndb fuzz_scan_syn_reply)
    target_link_libraries(${t} PRIVATE ca_scan)
endforeach()
