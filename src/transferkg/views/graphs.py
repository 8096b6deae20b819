"""The views by their first import path, ``from transferkg.views import graphs as views``.

Kept so that code written before the views were split into modules keeps working; new
code imports :mod:`transferkg.views` (the same names).
"""

from transferkg.views import (
    NOT_RECORDED,
    VIEWS,
    AgreementFilter,
    View,
    build_view,
    deal_network,
    graph_from_result,
    nationality_flows,
    network_metrics,
    provenance,
    recognition,
    state_agreement_bipartite,
    view_names,
)

__all__ = [
    "NOT_RECORDED",
    "VIEWS",
    "AgreementFilter",
    "View",
    "build_view",
    "deal_network",
    "graph_from_result",
    "nationality_flows",
    "network_metrics",
    "provenance",
    "recognition",
    "state_agreement_bipartite",
    "view_names",
]
