# Scanner micro-benchmarks; the whole-process comparison with nmap and sslscan is
# bench/scan-vs-nmap.sh.
add_executable(scan_bench scan_bench.cpp)
target_link_libraries(scan_bench PRIVATE ca_scan ca_core benchmark::benchmark)
target_compile_definitions(scan_bench PRIVATE
    CA_BENCH_PROBES="${PROJECT_SOURCE_DIR}/data/scan/probes.yaml")
