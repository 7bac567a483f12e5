"""Cloudlens: the Streamlit entry point. Sign-in, then only the pages the user's role allows."""

import streamlit as st

from ui.auth import PAGES, logout_button, require_login

st.set_page_config(page_title="Cloudlens", page_icon="☁️", layout="wide")

user = require_login()  # the sign-in form and a stop, until the credentials are right
pages = [
    st.Page(f"pages/{stem}.py", title=title, icon=icon, default=stem == "overview")
    for stem, (title, icon, permission) in PAGES.items()
    if user.can(permission)
]
# Links drawn here rather than Streamlit's automatic list, which (config.toml) is switched
# off so that a visitor who is not signed in never sees which pages exist.
navigation = st.navigation(pages, position="hidden")
with st.sidebar:
    for page in pages:
        st.page_link(page)
logout_button(user)
navigation.run()
