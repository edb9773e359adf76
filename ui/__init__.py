"""The app layer's shared pieces (imports streamlit): session keys, cached resources, frame."""
