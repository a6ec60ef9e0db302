"""The leading group office's dashboard and the public disclosure pages (server-rendered, zh-CN)."""
