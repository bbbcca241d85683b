"""ModelScope (modelscope.cn): the SDK's model listing, with the legacy detail for what it lacks."""
