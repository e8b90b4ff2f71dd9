package io.switchd.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * {@code POST /v1/bridges/{br}/mirrors}: a mirror named {@code name} copying frames received on
 * {@code selectIngress} and sent to {@code selectEgress} (only those on {@code selectVlans}, if
 * given) to the port {@code output}. Absent lists are empty.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NewMirror(String name, List<String> selectIngress, List<String> selectEgress, List<Integer> selectVlans,
                        String output) {}
