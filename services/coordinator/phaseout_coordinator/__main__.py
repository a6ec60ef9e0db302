from phaseout_kit.web import serve

from phaseout_coordinator.entrypoints.app import build_app

app = build_app()
serve(app, app.state.runtime)
