"""The unit workbook: its layout (shared by template and import), the template writer, the byte
and zip safety checks (:mod:`.package`) and the strict cell importer (:mod:`.importer`)."""
