def render_documents(report, progress=lambda m: None):
    raise NotImplementedError
