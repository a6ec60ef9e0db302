from phaseout_coordinator.entrypoints.app import build_app
from phaseout_kit.web import serve

app = build_app()
serve(app, app.state.runtime)
