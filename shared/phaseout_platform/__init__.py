"""The whole platform on one machine: the ``phaseout`` command (run all six services with the embedded broker
and the demo data, issue tokens). It sits above the kit, the services and the demo, which never import it."""
