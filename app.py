"""Cloudlens: the Streamlit entry point. Sign-in, then only the pages the user's role allows."""

import streamlit as st

from ui import navigation as nav
from ui.auth import PAGES, logout_button, require_login
from ui.page import settings_or_stop
from ui.sidebar import page_links

st.set_page_config(page_title="Cloudlens", page_icon="☁️", layout="wide")
settings_or_stop()

nav.remember_requested_page()  # a link opened before sign-in still opens its page after it
user = require_login()  # the sign-in form and a stop, until the credentials are right
pages = {
    stem: st.Page(f"pages/{stem}.py", title=title, icon=icon, default=stem == "overview")
    for stem, (title, icon, permission) in PAGES.items()
    if user.can(permission)
}
# Links drawn here rather than Streamlit's automatic list, which (config.toml) is switched
# off so that a visitor who is not signed in never sees which pages exist.
wanted = nav.page_wanted()  # named by the URL now, or by the link opened before sign-in
if wanted in pages:
    nav.aim(wanted)
navigation = st.navigation(list(pages.values()), position="hidden")
notice = nav.refused_notice(wanted, user, set(pages), navigation.url_path)
if notice:
    st.warning(notice, icon=":material/lock:")
page_links(list(pages.values()))
logout_button(user)
navigation.run()
