"""Converters from published data-set layouts to what mmdet, mmseg and mmpose read.

``dar_transfer.data.camvid_dataset`` registers mmseg's ``CamVidDataset`` (import it through
``custom_imports``); ``lsp_metainfo.py`` is mmpose metainfo for LSP's 14 joints. Nothing
is imported here, so the CLI stays light.
"""
