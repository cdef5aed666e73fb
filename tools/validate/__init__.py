"""``make validate``: the deployment examples and the event contract, checked by real validators.

``python -m tools.validate`` checks the compose file against the compose specification, the
Kubernetes manifests (base and every overlay, as kustomize renders them) against the
Kubernetes schemas and the restricted Pod Security Standard, and the Prometheus alert rules
and the Grafana dashboard against the PromQL grammar and the metric names tinhso serves.
The AsyncAPI document is checked by the AsyncAPI parser (``tools/asyncapi``). docs/adr/0029
says why these validators.
"""
