# ca_library(NAME name SRCS ... DEPS ... [PRIVATE_DEPS ...])
# One static library per folder of src/, named ca_<name>, with its dependencies declared so
# the architecture can be read off the build graph (tests/arch checks it).
function(ca_library)
    cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
    set(target ca_${ARG_NAME})
    add_library(${target} STATIC ${ARG_SRCS})
    add_library(cyberalarm::${ARG_NAME} ALIAS ${target})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    set_property(GLOBAL APPEND PROPERTY CA_LIBRARIES ${target})
endfunction()

# ca_test(NAME name SRCS ... DEPS ... LABELS ...)
function(ca_test)
    cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
    add_executable(${ARG_NAME} ${ARG_SRCS})
    target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} ca_test_support GTest::gtest GTest::gtest_main)
    target_compile_definitions(${ARG_NAME} PRIVATE
        CA_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        CA_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
    gtest_discover_tests(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()
