# broker:PATH, the link to maxq1061d: the client side of the daemon's message
# format (broker/broker_protocol.cc) and the link itself.
target_sources(maxq_transport PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/broker_link.cc
  ${PROJECT_SOURCE_DIR}/broker/broker_protocol.cc)
