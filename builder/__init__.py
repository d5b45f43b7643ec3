"""DX人材事例ナビ: builds the case knowledge base site from case files.

Data flows one way: case files -> validated models -> generated pages and
indexes -> MkDocs. Importing this package must stay cheap (no heavy ML
libraries), because ``check`` runs on every pull request.
"""
