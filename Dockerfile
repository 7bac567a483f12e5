# Cloudlens dashboard image. Point DATABASE_URL at your Postgres server; without it the
# embedded server keeps its data under /data (mount a volume there). The scheduler is the same
# image with another command: `docker run ... IMAGE python scheduler.py`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CLOUDLENS_HOME=/data
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN mkdir -p /data
EXPOSE 8501
CMD ["python", "-m", "streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501"]
