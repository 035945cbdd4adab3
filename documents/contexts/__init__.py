"""Context functions of the document kinds, one module per stage of a case. Importing this
package registers every kind (documents.apps.DocumentsConfig.ready)."""

from documents.contexts import closing, filing, intake, proceedings  # noqa: F401
