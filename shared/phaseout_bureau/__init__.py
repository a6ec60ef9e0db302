"""The bureau case system shared by the five bureau services; each bureau adds only its finding types,
typed details and checks (a ``BureauSpec``)."""
